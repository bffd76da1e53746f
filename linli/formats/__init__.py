"""Date formats: every date is written YYYY-MM-DD (GB/T 7408, ISO 8601), in Chinese and English."""
