"""Signals other apps listen to; `articles` never imports them back.

article_imported
    Sent by articles.importing for every imported document, created or updated, inside the
    document's transaction (an exception in a receiver rolls the whole document back and is
    reported against the file). sender is Article; keyword arguments:

    article    the saved Article
    questions  list[str], the numbered 怜星夜思 questions in order, numbers removed
    comments   list[str], the readers' comments in order, one paragraph each
    created    bool, True when this import created the article

    It is sent on every import, also when nothing changed, so a receiver must bring its rows in
    line with the lists without duplicating them: importing the same file twice changes nothing.
"""

from django.dispatch import Signal

article_imported = Signal()
