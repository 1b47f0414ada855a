"""The firm's crisis protocol, quoted verbatim from its document ``protocolo-cliente-en-crisis.txt``
("Protocolo para el manejo de un cliente en crisis o fuera de control").

These texts are the firm's own Spanish words, kept here as data and shown as they are, whatever the UI
language: they are the procedure staff are trained on, with the exact phrases to say to the client. They
are deliberately not msgids (a translation would change the firm's wording). The UI around them (headings,
buttons, labels) is translated as usual. One change of form: the document capitalises every word of its
titles ("Escuchar Activamente"), an English habit; here they are in sentence case, as Spanish writes them.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    action: str
    purpose: str
    phrase: str = ""  # "Frase sugerida", where the document gives one


@dataclass(frozen=True)
class ResponseAction:
    key: str  # models.complaints.CRISIS_ACTIONS
    title: str
    text: str
    purpose: str
    phrase: str = ""


OBJECTIVES = (
    "Restablecer la calma y el control en la interacción.",
    "Escuchar y validar las preocupaciones del cliente.",
    "Buscar una solución efectiva sin comprometer los valores de la empresa.",
    "Proteger al personal de atención de situaciones de abuso o agresión.",
)

STEPS = (
    Step(1, "Mantén la calma y la profesionalidad",
         "El personal de atención debe mantener una actitud tranquila y profesional, incluso si el cliente está "
         "alterado o agresivo. No debe alzar la voz ni responder de manera emocional.",
         "Evitar escalar la situación y demostrar que la empresa está lista para atender el problema de manera "
         "seria y respetuosa."),
    Step(2, "Escuchar activamente",
         "Permite que el cliente exprese sus preocupaciones sin interrumpir. Escuchar activamente significa mostrar "
         "interés, asentir cuando sea apropiado y evitar distracciones.",
         "Validar los sentimientos del cliente y demostrar empatía.",
         "Comprendo que esta situación le esté causando molestias. Por favor, dígame más detalles para poder "
         "ayudarle mejor."),
    Step(3, "No tomar la situación de manera personal",
         "Asegúrate de no tomar las quejas o comentarios del cliente de manera personal. El enojo del cliente está "
         "dirigido hacia la situación, no hacia la persona que brinda atención.",
         "Mantener la objetividad y evitar reacciones emocionales que podrían agravar la situación."),
    Step(4, "Ofrecer una respuesta asertiva",
         "Una vez que el cliente haya expresado su queja, ofrece una respuesta asertiva y clara. Explica qué pasos "
         "pueden tomarse para resolver el problema o, si no es posible, qué alternativas están disponibles.",
         "Mostrar disposición para solucionar el problema, evitando la ambigüedad y la confrontación.",
         "Gracias por explicarme la situación. Permítame ver cómo podemos resolverlo de la mejor manera."),
    Step(5, "Establecer límites si el cliente está fuera de control",
         "Si el cliente utiliza lenguaje ofensivo o agresivo, establece límites de manera respetuosa pero firme.",
         "Garantizar un ambiente de respeto mutuo y evitar que la situación se salga de control.",
         "Entiendo que esta situación es frustrante para usted, pero le pido que mantengamos una conversación "
         "respetuosa para poder ayudarle mejor."),
    Step(6, "Derivar a un supervisor si es necesario",
         "Si la situación no mejora y el cliente sigue fuera de control, informa de manera educada que derivarás la "
         "situación a un supervisor o a un miembro del equipo con mayor autoridad.",
         "Escalar la situación a alguien con más autoridad para que el cliente sienta que se está tomando en serio "
         "su queja.",
         "Voy a contactar a mi supervisor para que pueda asistirnos y ofrecerle una mejor solución."),
    Step(7, "Documentar la situación",
         "Registra todos los detalles de la interacción, incluyendo el comportamiento del cliente, las soluciones "
         "ofrecidas y las acciones tomadas.",
         "Tener un registro detallado de la situación para revisarla posteriormente, mejorar procesos y garantizar "
         "que se tomaron las acciones adecuadas."),
    Step(8, "Seguimiento posterior",
         "Si la situación fue resuelta o escalada, asegúrate de hacer un seguimiento con el cliente para confirmar "
         "que la solución fue satisfactoria y que no quedan problemas pendientes.",
         "Restablecer una relación positiva con el cliente y demostrar compromiso con su satisfacción.",
         "Nos gustaría asegurarnos de que el problema fue resuelto a su satisfacción. ¿Hay algo más en lo que "
         "podamos ayudarle?"),
)

STEP = {s.number: s for s in STEPS}
SUPERVISOR_STEP = 6
DOCUMENT_STEP = 7
FOLLOW_UP_STEP = 8
FOLLOW_UP_TITLE = STEPS[7].title
FOLLOW_UP_PHRASE = STEPS[7].phrase

RESPONSE_ACTIONS = (
    ResponseAction("solution", "Ofrecer soluciones concretas",
                   "Proporciona alternativas realistas y detalladas. Ejemplo: reembolso, cambio de producto, "
                   "compensación.",
                   "Dar una solución tangible para calmar la situación."),
    ResponseAction("apology", "Ofrecer una disculpa empática",
                   "Si corresponde, pedir disculpas sinceras por el inconveniente.",
                   "Mostrar empatía y disposición a remediar la situación.",
                   "Lamento mucho el malentendido. Déjeme ayudarle a solucionarlo."),
    ResponseAction("safety", "Mantener la seguridad",
                   "Si el cliente se vuelve físicamente agresivo, es esencial priorizar la seguridad del personal y "
                   "de otros clientes. Involucrar a seguridad si es necesario.",
                   "Proteger al personal y mantener un entorno seguro."),
    ResponseAction("pause", "Dar un tiempo de pausa",
                   "Si la situación está demasiado tensa, ofrecer un breve periodo de pausa puede permitir que el "
                   "cliente y el personal se calmen.",
                   "Desescalar la situación temporalmente para permitir una comunicación más efectiva.",
                   "Entiendo que esto es frustrante. Le sugiero que tomemos unos minutos para calmarnos y luego "
                   "seguimos buscando una solución."),
)

RESPONSE_ACTION = {a.key: a for a in RESPONSE_ACTIONS}

# What anyone who serves the client sees on the client's page while the flag is up: the protocol's key
# phrases, never the incident's details.
ADVICE = (
    "Mantén la calma y la profesionalidad: no alces la voz ni respondas de manera emocional.",
    STEPS[1].phrase,
    STEPS[4].phrase,
    RESPONSE_ACTIONS[1].phrase,
)
