"""The demo firm's matters: per practice area, what a client comes with and the case it becomes, in the words of
a Colombian law firm. Each matter fits one kind of client (a person does not plan a company's taxes; a company
does not divorce), and its need, case title, description, counterparty, evidence, the client's open question,
next deadline and outcome tell the same story."""

from dataclasses import dataclass

PERSON, COMPANY, ANY = "person", "company", "any"
BUILDING = "building"  # a residential complex under horizontal property ("Conjunto Residencial … P.H.")
FOREIGN = "foreign"  # a company abroad (no Colombian document)

LABOUR, FAMILY, CORPORATE = "Derecho laboral", "Derecho de familia", "Derecho comercial y societario"
TAX, PROPERTY, DATA = "Derecho tributario", "Derecho inmobiliario", "Protección de datos"

PRACTICE_AREAS = (
    (LABOUR, "Despidos, contratos de trabajo, seguridad social, reglamentos y procesos disciplinarios."),
    (FAMILY, "Divorcios, custodia y visitas, alimentos, sucesiones."),
    (CORPORATE, "Constitución y reformas de sociedades, contratos mercantiles, cobro de cartera."),
    (TAX, "Requerimientos y fiscalizaciones de la DIAN, devoluciones, planeación tributaria."),
    (PROPERTY, "Compraventas y estudio de títulos, arrendamientos, propiedad horizontal."),
    (DATA, "Habeas data, políticas de tratamiento, incidentes de seguridad, registro ante la SIC."),
)

DIAN = "Dirección de Impuestos y Aduanas Nacionales (DIAN)"


@dataclass(frozen=True)
class Matter:
    area: str
    client: str  # PERSON, COMPANY or ANY
    need: str  # what the client tells at intake
    title: str  # the case
    description: str
    party: tuple[str, str, str] | None  # (counterparty or related, PERSON / COMPANY / BUILDING / FOREIGN / a name,
    #                                      relation)
    evidence: tuple[tuple[str, str], tuple[str, str]]  # (kind, what)
    strategy: str
    question: str  # what the client asks and still waits for
    deadline: tuple[str, str]  # (kind, description)
    outcome: str  # how it ended, for a resolved case

    def fits(self, kind: str) -> bool:
        return self.client in (kind, ANY)


MATTERS = (
    # ----- labour -----
    Matter(LABOUR, PERSON,
           "Lo despidieron sin justa causa después de ocho años en la empresa y no le pagaron la indemnización.",
           "Demanda laboral por despido sin justa causa",
           "Cobro de la indemnización por despido sin justa causa (art. 64 del Código Sustantivo del Trabajo) tras "
           "ocho años de servicio: primero conciliación ante el Ministerio del Trabajo, después demanda ordinaria.",
           ("counterparty", COMPANY, "Empleador"),
           (("document", "Carta de terminación del contrato y liquidación final"),
            ("testimony", "Declaración de un compañero de trabajo sobre el despido")),
           "Conciliación ante el Ministerio del Trabajo; si fracasa, demanda ordinaria laboral. Riesgo: la empresa "
           "alega bajo rendimiento sin haberlo documentado.",
           "¿Ya hay fecha para la audiencia de conciliación en el Ministerio del Trabajo?",
           ("procedural", "Radicar la solicitud de conciliación en el Ministerio del Trabajo"),
           "Conciliación aprobada: la empresa paga la indemnización en dos cuotas."),
    Matter(LABOUR, PERSON,
           "Durante dos años trabajó turnos nocturnos y dominicales que nunca le pagaron como horas extra.",
           "Reclamación de horas extra y recargos nocturnos",
           "Cálculo y cobro de horas extra, recargos nocturnos y dominicales de los dos últimos años, con la "
           "reliquidación de cesantías, primas y vacaciones.",
           ("counterparty", COMPANY, "Empleador"),
           (("document", "Planillas de turnos y desprendibles de nómina"),
            ("testimony", "Declaración de un compañero del turno de noche")),
           "Reclamación escrita al empleador para interrumpir la prescripción; si no paga, demanda ordinaria laboral "
           "con el cálculo del perito contable.",
           "¿Cuánto me corresponde en total por las horas extra, con los intereses?",
           ("procedural", "Enviar la reclamación escrita al empleador"),
           "La empresa reconoció las horas extra y pagó la reliquidación de prestaciones."),
    Matter(LABOUR, COMPANY,
           "Un extrabajador demandó a la empresa por despido injusto y hay que contestar la demanda.",
           "Defensa en demanda laboral de un extrabajador",
           "Contestación de la demanda ordinaria laboral de un extrabajador que alega despido sin justa causa, con "
           "la revisión del proceso disciplinario que precedió al despido.",
           ("counterparty", PERSON, "Demandante (extrabajador)"),
           (("document", "Actas del proceso disciplinario y descargos del trabajador"),
            ("testimony", "Declaración del jefe inmediato")),
           "Probar la justa causa con el proceso disciplinario; proponer conciliación solo si el juzgado duda del "
           "debido proceso.",
           "¿Debemos llevar al jefe de área como testigo a la primera audiencia?",
           ("procedural", "Contestar la demanda laboral"),
           "Sentencia favorable: el juzgado declaró probada la justa causa del despido."),
    Matter(LABOUR, COMPANY,
           "Necesitan actualizar el reglamento interno de trabajo a la nueva jornada laboral.",
           "Actualización del reglamento interno de trabajo",
           "Revisión del reglamento interno de trabajo por la reducción de la jornada (Ley 2101 de 2021) y el "
           "procedimiento de acoso laboral (Ley 1010 de 2006), y su publicación ante los trabajadores.",
           None,
           (("document", "Reglamento interno vigente y contratos de trabajo tipo"),
            ("other", "Entrevista con la jefa de talento humano")),
           "Ajustar horarios, procedimiento disciplinario y comité de convivencia; socializar el texto con los "
           "trabajadores antes de publicarlo.",
           "¿Hay que publicar el reglamento en cada sede o basta con la intranet de la empresa?",
           ("administrative", "Publicar el reglamento actualizado en los lugares de trabajo"),
           "Reglamento actualizado y publicado; se capacitó a los jefes de área."),
    # ----- family -----
    Matter(FAMILY, PERSON,
           "Divorcio de mutuo acuerdo con liquidación de la sociedad conyugal y custodia compartida de los dos hijos.",
           "Divorcio de mutuo acuerdo",
           "Divorcio de mutuo acuerdo ante notaría: acuerdo de custodia compartida, visitas y cuota alimentaria de "
           "los dos hijos menores, y liquidación de la sociedad conyugal.",
           ("related", PERSON, "Cónyuge"),
           (("document", "Registros civiles de matrimonio y de nacimiento de los hijos"),
            ("document", "Inventario de bienes y deudas de la sociedad conyugal")),
           "Trámite notarial con concepto del defensor de familia sobre el acuerdo de los hijos; liquidación de la "
           "sociedad conyugal en la misma escritura.",
           "¿El defensor de familia tiene que aprobar el acuerdo de los niños antes de firmar en la notaría?",
           ("administrative", "Radicar la solicitud de divorcio en la notaría"),
           "Escritura de divorcio firmada; el defensor de familia aprobó la custodia compartida."),
    Matter(FAMILY, PERSON,
           "El padre de su hija dejó de pagar la cuota alimentaria hace seis meses.",
           "Demanda ejecutiva de alimentos",
           "Cobro ejecutivo de seis meses de cuota alimentaria fijada en acta de conciliación, con embargo del "
           "salario del demandado como medida cautelar.",
           ("counterparty", PERSON, "Demandado (padre de la menor)"),
           (("document", "Acta de conciliación que fijó la cuota alimentaria"),
            ("document", "Extractos bancarios sin los pagos de la cuota")),
           "Demanda ejecutiva con solicitud de embargo del salario; denuncia por inasistencia alimentaria solo si "
           "el embargo no prospera.",
           "¿Se puede embargar el salario del padre mientras avanza el proceso?",
           ("procedural", "Presentar la demanda ejecutiva de alimentos"),
           "Embargo del salario decretado; se pagan las cuotas atrasadas mes a mes."),
    Matter(FAMILY, PERSON,
           "Su padre falleció sin testamento y los cuatro hermanos quieren hacer la sucesión de común acuerdo.",
           "Sucesión intestada por notaría",
           "Sucesión intestada de común acuerdo entre los cuatro herederos: inventario, avalúo y partición de un "
           "apartamento y dos cuentas bancarias ante notaría.",
           ("related", PERSON, "Heredero (hermano)"),
           (("document", "Registro civil de defunción y de nacimiento de los herederos"),
            ("document", "Certificado de tradición del apartamento")),
           "Trámite notarial con poder de los cuatro herederos; paz y salvo del impuesto predial antes de la "
           "escritura de partición.",
           "¿Tenemos que pagar impuesto por lo que recibimos de la herencia?",
           ("administrative", "Publicar el edicto de la sucesión"),
           "Escritura de partición registrada; cada heredero recibió su parte."),
    Matter(FAMILY, PERSON,
           "Tras la separación quiere fijar la custodia y las visitas de su hijo de siete años.",
           "Custodia y régimen de visitas",
           "Conciliación ante la comisaría de familia sobre la custodia del hijo menor, el régimen de visitas y la "
           "cuota alimentaria tras la separación de hecho.",
           ("counterparty", PERSON, "Progenitor del menor"),
           (("document", "Registro civil de nacimiento del menor"),
            ("document", "Informe del colegio sobre el menor")),
           "Conciliación en la comisaría de familia; si no hay acuerdo, demanda de custodia ante el juez de familia.",
           "¿Mi hijo puede pasar las vacaciones de diciembre conmigo mientras se fija la custodia?",
           ("administrative", "Pedir la audiencia de conciliación en la comisaría de familia"),
           "Acuerdo conciliado: custodia de la madre, visitas cada quince días y vacaciones por mitades."),
    # ----- corporate -----
    Matter(CORPORATE, PERSON,
           "Quiere constituir una S.A.S. con un socio para su negocio de diseño y redactar el acuerdo de accionistas.",
           "Constitución de S.A.S. y acuerdo de accionistas",
           "Estatutos y acuerdo de accionistas de una S.A.S. de dos socios (aportes, derecho de preferencia, salida "
           "de un socio), inscripción en la Cámara de Comercio y RUT.",
           ("related", PERSON, "Socio fundador"),
           (("document", "Borrador de estatutos"), ("document", "Acuerdo de aportes firmado por los socios")),
           "Estatutos sencillos y acuerdo de accionistas aparte; inscripción virtual en la Cámara de Comercio.",
           "¿Podemos registrar la sociedad con un capital pagado menor que el suscrito?",
           ("administrative", "Inscribir la sociedad en la Cámara de Comercio"),
           "Sociedad inscrita, con NIT y acuerdo de accionistas firmado."),
    Matter(CORPORATE, COMPANY,
           "Revisar el contrato de distribución exclusiva con un fabricante extranjero antes de firmarlo.",
           "Revisión del contrato de distribución internacional",
           "Revisión y negociación del contrato de distribución exclusiva con un fabricante extranjero: territorio, "
           "metas de compra, terminación, ley aplicable y arbitraje.",
           ("counterparty", FOREIGN, "Proveedor extranjero"),
           (("document", "Borrador del contrato enviado por el proveedor"),
            ("document", "Correos de la negociación comercial")),
           "Negociar exclusividad para Colombia, preaviso de terminación e indemnización por clientela; arbitraje "
           "en Bogotá.",
           "¿Nos conviene aceptar el arbitraje en Miami que propone el proveedor?",
           ("contractual", "Enviar los comentarios al borrador del contrato"),
           "Contrato firmado con exclusividad para Colombia y arbitraje en Bogotá."),
    Matter(CORPORATE, COMPANY,
           "Un cliente les debe tres facturas vencidas hace más de noventa días.",
           "Cobro ejecutivo de facturas vencidas",
           "Cobro prejurídico y, sin acuerdo, demanda ejecutiva por tres facturas electrónicas aceptadas y vencidas "
           "hace más de noventa días.",
           ("counterparty", COMPANY, "Deudor"),
           (("document", "Facturas electrónicas aceptadas y constancias de entrega"),
            ("document", "Correos de cobro sin respuesta")),
           "Carta de cobro con plazo de diez días; después, demanda ejecutiva con embargo de cuentas.",
           "¿Podemos cobrar intereses de mora desde el vencimiento de cada factura?",
           ("procedural", "Presentar la demanda ejecutiva"),
           "Acuerdo de pago firmado: el deudor pagó las facturas con intereses en tres cuotas."),
    Matter(CORPORATE, COMPANY,
           "Reformar los estatutos para que entre un nuevo inversionista en la sociedad.",
           "Reforma estatutaria por ingreso de un inversionista",
           "Emisión de acciones para un nuevo inversionista: reglamento de suscripción, reforma de estatutos, acta "
           "de asamblea e inscripción en la Cámara de Comercio.",
           ("related", COMPANY, "Inversionista"),
           (("document", "Acta de asamblea y libro de registro de accionistas"),
            ("document", "Carta de intención del inversionista")),
           "Reglamento de suscripción aprobado por la asamblea; acuerdo de accionistas con el inversionista.",
           "¿El inversionista puede tener un puesto en la junta directiva desde el primer día?",
           ("administrative", "Inscribir la reforma de estatutos en la Cámara de Comercio"),
           "Reforma inscrita y acciones emitidas al inversionista."),
    # ----- tax -----
    Matter(TAX, PERSON,
           "Le llegó un requerimiento ordinario de la DIAN por su declaración de renta del año pasado.",
           "Respuesta a requerimiento ordinario de la DIAN",
           "Respuesta al requerimiento ordinario de la DIAN sobre ingresos que no aparecen en la declaración de renta "
           "de persona natural del año gravable anterior, con sus soportes.",
           ("counterparty", DIAN, "Autoridad tributaria"),
           (("document", "Declaración de renta y certificados de ingresos y retenciones"),
            ("document", "Extractos bancarios del año gravable")),
           "Responder a tiempo con los soportes de cada ingreso; corregir la declaración solo si algún soporte falta.",
           "¿Me pueden sancionar aunque responda el requerimiento a tiempo?",
           ("administrative", "Responder el requerimiento ordinario de la DIAN"),
           "La DIAN archivó el requerimiento con los soportes aportados."),
    Matter(TAX, PERSON,
           "Su declaración de renta salió con saldo a favor y quiere pedir la devolución.",
           "Solicitud de devolución de saldo a favor",
           "Solicitud a la DIAN de la devolución del saldo a favor de la declaración de renta de persona natural, "
           "con la revisión de las retenciones en la fuente certificadas.",
           ("counterparty", DIAN, "Autoridad tributaria"),
           (("document", "Certificados de retención en la fuente"), ("document", "Declaración de renta presentada")),
           "Verificar que cada retención esté certificada antes de radicar; solicitud virtual con cuenta bancaria "
           "del titular.",
           "¿En cuánto tiempo devuelve la DIAN el saldo a favor?",
           ("administrative", "Radicar la solicitud de devolución en la DIAN"),
           "La DIAN aprobó la devolución y la consignó en la cuenta del cliente."),
    Matter(TAX, COMPANY,
           "Planear la carga tributaria del próximo año y saber si les conviene el régimen simple.",
           "Planeación tributaria anual",
           "Revisión de la carga tributaria de la sociedad, comparación entre el régimen ordinario y el régimen simple "
           "de tributación, y calendario de obligaciones del próximo año.",
           None,
           (("document", "Estados financieros y declaraciones de los dos últimos años"),
            ("other", "Reunión con el contador de la empresa")),
           "Simular los dos regímenes con las cifras del año; recomendar antes del plazo de inscripción en el simple.",
           "¿Hasta cuándo podemos inscribirnos en el régimen simple para el próximo año?",
           ("contractual", "Entregar el informe de planeación tributaria"),
           "Informe entregado; la sociedad se inscribió en el régimen simple."),
    Matter(TAX, COMPANY,
           "La DIAN les notificó un emplazamiento para corregir tres declaraciones de IVA.",
           "Emplazamiento para corregir declaraciones de IVA",
           "Respuesta al emplazamiento para corregir de la DIAN sobre las declaraciones de IVA de tres bimestres, y "
           "análisis de la corrección con sanción reducida.",
           ("counterparty", DIAN, "Autoridad tributaria"),
           (("document", "Declaraciones de IVA y libros auxiliares"), ("document", "Facturas de compra objetadas")),
           "Corregir los bimestres con diferencias reales con la sanción reducida; defender el tercero con sus "
           "facturas.",
           "¿Si corregimos ahora, de cuánto sería la sanción reducida?",
           ("administrative", "Responder el emplazamiento para corregir"),
           "Se corrigieron dos bimestres con sanción reducida; la DIAN aceptó la explicación del tercero."),
    # ----- property -----
    Matter(PROPERTY, ANY,
           "El arrendatario del local lleva cuatro meses sin pagar el canon; desea iniciar la restitución.",
           "Restitución de inmueble arrendado",
           "Proceso de restitución del local comercial por mora de cuatro meses en el canon, con el cobro de los "
           "cánones adeudados.",
           ("counterparty", PERSON, "Arrendatario demandado"),
           (("document", "Contrato de arrendamiento del local"), ("document", "Relación de cánones no pagados")),
           "Demanda de restitución por mora; cobro de los cánones en el mismo proceso o en uno ejecutivo aparte.",
           "¿Cuánto tarda el juzgado en ordenar la entrega del local?",
           ("procedural", "Presentar la demanda de restitución"),
           "Sentencia de restitución; el arrendatario entregó el local."),
    Matter(PROPERTY, PERSON,
           "Va a comprar un apartamento y quiere que revisen los títulos y la promesa de compraventa.",
           "Estudio de títulos y promesa de compraventa",
           "Estudio de títulos del apartamento (tradición de veinte años, gravámenes, afectación a vivienda familiar), "
           "revisión de la promesa de compraventa y acompañamiento a la escritura.",
           ("counterparty", PERSON, "Vendedor"),
           (("document", "Certificado de tradición y libertad"), ("document", "Borrador de la promesa de compraventa")),
           "Condicionar la promesa al levantamiento de la hipoteca vigente; pago del saldo contra la escritura.",
           "¿El apartamento tiene algún embargo o hipoteca que nos impida comprarlo?",
           ("contractual", "Firmar la escritura de compraventa en la notaría"),
           "Escritura firmada y registrada; el apartamento quedó a nombre del cliente."),
    Matter(PROPERTY, COMPANY,
           "La constructora debe entregar las zonas comunes del conjunto y responder reclamos por acabados.",
           "Entrega de zonas comunes a la copropiedad",
           "Acompañamiento a la constructora en la entrega de las zonas comunes al consejo de administración del "
           "conjunto y en las reclamaciones por garantía de los acabados.",
           ("counterparty", BUILDING, "Copropiedad"),
           (("document", "Planos aprobados y licencia de construcción"),
            ("document", "Actas de inspección con el consejo de administración")),
           "Entrega por etapas con acta firmada por el consejo; atender solo las garantías dentro del término legal.",
           "¿Qué garantías debemos cubrir después de firmar el acta de entrega?",
           ("contractual", "Firmar el acta de entrega de zonas comunes"),
           "Acta de entrega firmada; las reclamaciones de garantía quedaron atendidas."),
    # ----- data protection -----
    Matter(DATA, COMPANY,
           "Adecuar la política de tratamiento de datos personales de la tienda en línea.",
           "Política de tratamiento de datos personales",
           "Redacción de la política de tratamiento de datos y del aviso de privacidad de la tienda en línea, "
           "autorizaciones de los clientes y registro de las bases de datos ante la SIC.",
           None,
           (("document", "Formularios de registro y de compra de la tienda"),
            ("document", "Inventario de bases de datos de la empresa")),
           "Inventario de bases de datos, política y aviso de privacidad, y registro en el RNBD antes del plazo.",
           "¿Tenemos que registrar la base de datos de clientes en el RNBD este año?",
           ("administrative", "Registrar las bases de datos en el RNBD de la SIC"),
           "Política publicada en la tienda y bases de datos registradas en el RNBD."),
    Matter(DATA, COMPANY,
           "Se filtró una base de datos de clientes y deben reportarlo a la Superintendencia.",
           "Atención de incidente de seguridad de datos",
           "Gestión de la fuga de una base de datos de clientes: reporte a la Superintendencia de Industria y "
           "Comercio, aviso a los titulares afectados y plan de medidas.",
           None,
           (("document", "Informe técnico del incidente"), ("document", "Registro de accesos al servidor")),
           "Reportar a la SIC dentro del plazo, avisar a los titulares con lenguaje claro y documentar las medidas.",
           "¿Debemos avisar uno por uno a los clientes afectados?",
           ("administrative", "Reportar el incidente de seguridad a la SIC"),
           "Incidente reportado y titulares avisados; la SIC archivó la actuación."),
    Matter(DATA, PERSON,
           "Aparece reportado en centrales de riesgo por una deuda que ya pagó.",
           "Habeas data: retiro de reporte negativo",
           "Reclamo ante la entidad financiera y, sin respuesta en quince días hábiles, queja ante la SIC para "
           "retirar el reporte negativo de una deuda pagada (Ley 1266 de 2008).",
           ("counterparty", COMPANY, "Entidad que hizo el reporte"),
           (("document", "Paz y salvo de la obligación"), ("document", "Reporte de la central de riesgo")),
           "Reclamo directo con el paz y salvo; queja ante la SIC si la entidad no responde a tiempo.",
           "¿Cuánto tiempo más puede seguir el reporte negativo si ya pagué la deuda?",
           ("administrative", "Presentar el reclamo ante la entidad financiera"),
           "La entidad retiró el reporte negativo de las centrales de riesgo."),
)

AREAS = tuple(name for name, _description in PRACTICE_AREAS)


def for_kind(kind: str) -> list[Matter]:
    """The matters a client of this kind may bring, one area after the other (laboral, familia, …, laboral…),
    so consecutive clients of the same kind come with different areas."""
    by_area = {area: [m for m in MATTERS if m.area == area and m.fits(kind)] for area in AREAS}
    rounds = max(len(ms) for ms in by_area.values())
    return [ms[r] for r in range(rounds) for ms in by_area.values() if r < len(ms)]


def of_client(client) -> Matter:
    """The matter a demo client came with (its practice area and need)."""
    return next(m for m in MATTERS if m.area == client.practice_area.name and m.need == client.need)


def past_for(client, n: int) -> Matter:
    """An earlier matter of the same client: another one a client of its kind may bring."""
    others = [m for m in for_kind(client.kind) if m.need != client.need]
    return others[n % len(others)]


REJECTIONS = (  # why an evaluation ended in "rejected" (any matter)
    "Conflicto de intereses: la firma asesora a la contraparte.",
    "La acción ya caducó; se le explicó por escrito y se le devolvieron los documentos.",
    "No aportó los documentos que prueban los hechos después de dos solicitudes.",
    "Desistió después de la consulta inicial: prefiere esperar un acuerdo directo.",
)

UPDATES = (  # the last progress report sent to the client
    "Informe de avance enviado al cliente con los próximos pasos.",
    "Se envió al cliente el resumen de la reunión y la lista de documentos pendientes.",
    "Se informó al cliente la radicación y el número del trámite.",
    "Informe quincenal: sin novedades de la otra parte; se mantiene el plan.",
    "Se compartió con el cliente el borrador para sus comentarios.",
)
