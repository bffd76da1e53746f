"""Risk pages, one module per use case (``urls.py`` names each view by its module): the front
page (``home``), method versions, rounds and the draw, the inspector's checklist, hazard cases,
white papers and the resident survey.

A view authenticates, reads through ``queries``, calls one service and renders."""
