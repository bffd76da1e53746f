"""Service-centre pages, one module per screen (``urls.py`` names each view by its module).

A view authenticates, reads through ``queries``, calls one service and renders; it makes no
ORM call of its own."""
