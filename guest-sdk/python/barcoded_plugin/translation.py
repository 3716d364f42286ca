"""Django's ``gettext_lazy``, for plugins moved over with only their imports
changed. Plugins run without a locale, so text is returned as written."""


def gettext_lazy(text):
    return text


gettext = gettext_lazy
