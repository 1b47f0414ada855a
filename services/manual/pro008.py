"""PRO 008 "Gestión del Cliente" as the firm wrote it (version 000 of 01.12.2024, created by EGC, approved by the
CEO), its sections in Markdown, for the demo firm's manual. The text is the firm's own, word for word."""

from datetime import date, datetime

CODE = "PRO 008"
TITLE = "Gestión del Cliente"
CREATED_BY = "EGC"
APPROVED_BY = "CEO"
PUBLISHED_ON = date(2024, 12, 1)
APPROVED_AT = datetime(2024, 12, 1, 14, 0)  # UTC, as every stored time
CHANGE_SUMMARY = "Original"
JUSTIFICATION = ("Primera edición del procedimiento de gestión del cliente del Sistema de Gestión de la Calidad "
                 "(ISO 9001:2015).")

SECTIONS = {
    "objective": (
        "Establecer un procedimiento que garantice una gestión eficaz del cliente, enfocándose en cumplir con sus "
        "expectativas y necesidades, fortaleciendo su satisfacción a través de una atención eficiente, servicios de "
        "calidad, y un seguimiento proactivo."),
    "scope": (
        "Este procedimiento se aplica a todas las actividades relacionadas con la gestión del cliente, desde el "
        "contacto inicial, la prestación de servicios, hasta el seguimiento y fidelización, abarcando únicamente el "
        "Sistema de Gestión de la Calidad (SGC) basado en la norma ISO 9001:2015."),
    "responsibilities": "\n".join([
        "- **Gerencia General:** Garantizar los recursos necesarios para la implementación del procedimiento y "
        "revisar los resultados de su aplicación.",
        "- Departamento Comercial: Captar clientes, gestionar solicitudes y cotizaciones, y realizar el seguimiento "
        "de la satisfacción.",
        "- **Departamento Operativo:** Planificar y ejecutar los servicios contratados, asegurando el cumplimiento "
        "de los estándares de calidad.",
        "- **Atención al Cliente:** Registrar y gestionar quejas, reclamos, y consultas, actuando como enlace entre "
        "el cliente y la empresa.",
        "- Responsable del SGC: Monitorear la implementación del procedimiento y analizar los indicadores de "
        "desempeño relacionados con la satisfacción del cliente.",
    ]),
    "definitions": "\n".join([
        "- Cliente: Persona o empresa que adquiere los servicios.",
        "- Satisfacción del Cliente: Percepción del cliente sobre el grado en que se han cumplido sus expectativas y "
        "necesidades.",
        "- **Seguimiento Post-Servicio:** Actividades realizadas para verificar la efectividad del servicio prestado "
        "y obtener retroalimentación.",
    ]),
    "procedure": "\n".join([
        "### 5.1. Captación de Clientes",
        "",
        "1. **Identificación de Potenciales Clientes:** Realizar actividades de marketing y promoción para captar "
        "nuevos clientes, utilizando medios como visitas comerciales, redes sociales, y alianzas estratégicas.",
        "2. **Registro de Datos del Cliente:** Ingresar la información del cliente en el sistema de gestión de "
        "clientes, incluyendo datos de contacto, necesidades específicas, y cualquier requerimiento especial.",
        "3. **Propuesta de Servicio:** Elaborar y enviar una cotización ajustada a las necesidades del cliente, "
        "detallando los servicios ofrecidos y los beneficios.",
        "",
        "### 5.2. Atención de Solicitudes y Contratación",
        "",
        "1. Recepción de Solicitudes: El Departamento Comercial recibe las solicitudes de servicios.",
        "2. **Ajuste y Confirmación del Servicio:** Revisar y ajustar la propuesta de servicio si es necesario, "
        "según los requerimientos del cliente.",
        "3. **Formalización de Contrato:** Formalizar el contrato con el cliente, detallando las condiciones del "
        "servicio, frecuencia, duración, y responsabilidades de ambas partes.",
        "",
        "### 5.3. Prestación del Servicio",
        "",
        "1. **Planificación del Servicio:** Programar las visitas y asignar el personal adecuado para realizar la "
        "intervención.",
        "2. **Ejecución:** Realizar el servicio siguiendo los procedimientos estandarizados para asegurar la "
        "calidad.",
        "3. **Documentación:** Registrar cada intervención en el sistema de gestión, incluyendo detalles como el "
        "tipo de tratamiento, productos utilizados, y recomendaciones para el cliente.",
        "",
        "### 5.4. Seguimiento Post-Servicio",
        "",
        "1. **Encuesta de Satisfacción:** Contactar al cliente en un plazo de 5 días posteriores al servicio para "
        "evaluar su nivel de satisfacción y recoger comentarios.",
        "2. **Solución de Incidencias:** En caso de quejas o problemas, derivar la incidencia al área "
        "correspondiente para su resolución rápida y eficiente.",
        "3. **Registro de Satisfacción:** Documentar los resultados de la encuesta en el sistema y analizar las "
        "respuestas para identificar posibles áreas de mejora.",
        "",
        "### 5.5. Fidelización del Cliente",
        "",
        "1. **Programa de Fidelización:** Ofrecer descuentos, promociones o servicios adicionales a clientes "
        "recurrentes.",
        "2. **Capacitación y Concientización:** Informar al cliente sobre buenas prácticas relacionadas con los "
        "servicios adquiridos.",
        "3. **Renovación de Contrato:** Contactar al cliente antes de la expiración del contrato para ofrecer "
        "renovación del servicio ajustada a sus necesidades actuales.",
    ]),
    "records": "\n".join([
        "- Formulario de Cotización y Contrato de Servicio.",
        "- Registro de Satisfacción del Cliente.",
        "- Registro de Quejas y Solicitudes.",
    ]),
    "indicators": "\n".join([
        "- Tasa de Satisfacción del Cliente: Medida mediante encuestas post-servicio.",
        "- Índice de Resolución de Incidencias: Tiempo promedio para resolver quejas o incidencias.",
        "- Porcentaje de Retención de Clientes: Proporción de clientes que renuevan el contrato.",
    ]),
    "related": "\n".join([
        "- Control de la Información Documentada.",
        "- Encuesta de Satisfacción del Cliente.",
    ]),
}


def load(author, approver):
    """PRO 008 in the manual, published on 01.12.2024 with its version history (one line: 000, Original, CEO)."""
    from services import manual

    document = manual.create_document({"code": CODE, "title": TITLE, "kind": "procedure", "owner": author.id,
                                       "created_label": CREATED_BY, "approved_label": APPROVED_BY,
                                       "change_summary": CHANGE_SUMMARY, "justification": JUSTIFICATION,
                                       **SECTIONS}, author)
    version = document.versions.get()
    manual.submit(version, author)
    manual.approve(version, approver, at=APPROVED_AT)
    manual.publish(version, approver, on=PUBLISHED_ON)
    return document
