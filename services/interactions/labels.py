"""Words shown for the interaction and meeting codes (the codes live in models/interactions.py)."""

from core.i18n import lazy_gettext as _l
from core.i18n import lazy_pgettext

CHANNELS = {"email": _l("Email"), "phone": _l("Phone call"), "in_person": _l("In person"), "video": _l("Video call"),
            "messaging": _l("Messaging")}
# Spanish: "una interacción recibida / enviada"
DIRECTIONS = {"in": lazy_pgettext("interaction", "Received"), "out": lazy_pgettext("interaction", "Sent")}
DIRECTION_HINTS = {"in": _l("From the client to the firm"), "out": _l("From the firm to the client")}
KINDS = {"update": _l("Update on the case"), "question": _l("Question"), "concern": _l("Concern"),
         "meeting": _l("Meeting"), "complaint": _l("Complaint (see the complaints register)"), "other": _l("Other")}
KIND_BADGES = {"update": "ok", "question": "warn", "concern": "warn", "meeting": "muted", "complaint": "danger",
               "other": "muted"}
MEETING_CHANNELS = {"video": _l("Video call"), "phone": _l("Phone call"), "in_person": _l("In person")}
MEETING_LOCATION_HELP = {"video": _l("The link of the video call"), "phone": _l("The number to call"),
                         "in_person": _l("The address")}
MEETING_STATES = {"scheduled": lazy_pgettext("meeting", "Scheduled"), "held": lazy_pgettext("meeting", "Held"),
                  "cancelled": lazy_pgettext("meeting", "Cancelled")}
MEETING_BADGES = {"scheduled": "ok", "held": "muted", "cancelled": "danger"}
# The firm's protocol for virtual meetings (servicio-al-cliente-presentacion, "Protocolo en reuniones
# virtuales"), the lines that concern the client, for the invitation.
ETIQUETTE = (
    _l("Please be on time; if you cannot attend, let us know in advance."),
    _l("Connect from a quiet place, avoid eating or doing other things during the meeting."),
    _l("Ask for the floor and do not interrupt; mute your microphone when you are not speaking."),
    _l("We plan meetings to last no more than two hours."),
)
