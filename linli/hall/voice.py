"""Offline Mandarin call announcements from a finite vocabulary of short clips.

There is no text-to-speech service at run time. The clips under ``static/hall/voice/`` were
made once at development time with Debian's ``espeak-ng`` (``python -m linli.hall.voice``) and
are committed; the display board plays them in sequence: 请 A 零 零 一 号 到 十 号 窗口.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from .rules import parse_ticket_number

OUT = Path(__file__).resolve().parent / "static" / "hall" / "voice"
DIGITS = "零一二三四五六七八九"
# clip name → (espeak-ng voice, text)
WORDS = {
    "qing": "请",
    "hao": "号",
    "dao": "到",
    "chuangkou": "窗口",
    "shi": "十",
    "chongfu": "重复",
}
VOCABULARY: dict[str, tuple[str, str]] = {
    **{name: ("cmn-latn-pinyin", text) for name, text in WORDS.items()},
    **{f"d{i}": ("cmn-latn-pinyin", DIGITS[i]) for i in range(10)},
    **{f"l{c}": ("cmn", c) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
}
# Whole prompts of the 24-hour terminal (played when a page opens).
PROMPTS = {
    "p_welcome": "欢迎使用二十四小时自助服务，请选择业务",
    "p_swipe": "请刷身份证",
    "p_search": "请输入事项名称或拼音首字母",
    "p_query": "请输入办件编号，并刷身份证",
    "p_pickup": "请输入取件码，并刷身份证",
    "p_opened": "柜门已打开，请取件，并关好柜门",
    "p_submitted": "申请已提交，请记下办件编号",
}
VOCABULARY.update({name: ("cmn-latn-pinyin", text) for name, text in PROMPTS.items()})
RATE = 11025  # speech band; 8-bit PCM keeps the 49 clips near 400 KB


def window_words(number: int) -> list[str]:
    """1–99 read as a Chinese number: 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五."""
    if not 1 <= number <= 99:
        return [f"d{d}" for d in str(number)]
    tens, ones = divmod(number, 10)
    words = []
    if tens:
        if tens > 1:
            words.append(f"d{tens}")
        words.append("shi")
    if ones:
        words.append(f"d{ones}")
    return words


def announcement(ticket_number: str, window: int | None) -> list[str]:
    """Clip names for "请 A001 号到 10 号窗口": letters, then each digit (零零一)."""
    prefix, seq = parse_ticket_number(ticket_number)
    digits = ticket_number[len(prefix) :]
    words = ["qing", *(f"l{c}" for c in prefix), *(f"d{d}" for d in digits), "hao"]
    if window is not None:
        words += ["dao", *window_words(window), "hao", "chuangkou"]
    assert all(w in VOCABULARY for w in words) and seq >= 1
    return words


def build(out: Path = OUT, only: set[str] | None = None) -> list[Path]:  # pragma: no cover
    """Render every clip with espeak-ng, trimmed of silence, 11 kHz mono 8-bit WAV."""
    import audioop  # standard library until 3.13; only needed here, at build time

    out.mkdir(parents=True, exist_ok=True)
    made = []
    for name, (voice, text) in VOCABULARY.items():
        if only is not None and name not in only:
            continue
        with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
            subprocess.run(  # noqa: S603 (build-time tool)
                ["espeak-ng", "-b", "1", "-v", voice, "-s", "150", "-w", tmp.name, text],  # noqa: S607
                check=True,
                capture_output=True,
            )
            with wave.open(tmp.name) as src:
                rate, width = src.getframerate(), src.getsampwidth()
                frames = src.readframes(src.getnframes())
        frames, _state = audioop.ratecv(frames, width, 1, rate, RATE, None)
        frames = _trim(frames, width)
        frames = audioop.bias(audioop.lin2lin(frames, width, 1), 1, 128)  # 8-bit WAV is unsigned
        path = out / f"{name}.wav"
        with wave.open(str(path), "wb") as dst:
            dst.setnchannels(1)
            dst.setsampwidth(1)
            dst.setframerate(RATE)
            dst.writeframes(frames)
        made.append(path)
    return made


def _trim(frames: bytes, width: int, threshold: int = 300) -> bytes:  # pragma: no cover
    import audioop

    step = width * RATE // 100  # 10 ms
    chunks = [frames[i : i + step] for i in range(0, len(frames), step)]
    loud = [i for i, c in enumerate(chunks) if audioop.rms(c, width) > threshold]
    if not loud:
        return frames
    return b"".join(chunks[max(0, loud[0] - 1) : loud[-1] + 2])


if __name__ == "__main__":  # pragma: no cover
    for p in build(only=set(sys.argv[1:]) or None):
        sys.stdout.write(f"{p.name} {p.stat().st_size}\n")
