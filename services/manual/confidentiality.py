"""The demo firm's confidentiality policy and the follow-up of its manual (issue 17, items 3 and 4).

POL 001 "Política de Confidencialidad de la Información" is written from the firm's checklist ("4. Confidencialidad
de la información"), in the sections of PRO 008, with the consequences of a breach it asks for ("Establecer
consecuencias para incumplimiento de políticas"). ``load`` publishes it, puts PRO 008 on a 12-month review
calendar (reviewed once, still valid, with a note on the law), asks the commercial department and customer service
to read PRO 008 (most have, one or two have not) and records two confidentiality agreements: a member of staff's and
a contractor's."""

from datetime import timedelta

CODE = "POL 001"
TITLE = "Política de Confidencialidad de la Información"
CONSEQUENCES = ("El incumplimiento de esta política es falta grave: según su gravedad, llamado de atención escrito, "
                "suspensión o terminación del contrato con justa causa, sin perjuicio de las acciones legales y de la "
                "indemnización de los perjuicios causados a la firma o a sus clientes.")
SECTIONS = {
    "objective": "Proteger la información de los clientes y de la firma, y dejar claro qué es confidencial, quién "
                 "puede acceder a ella y qué consecuencias tiene divulgarla.",
    "scope": "Todo el personal de la firma, los contratistas y los terceros que traten información de sus clientes.",
    "responsibilities": "- **Gerencia General:** aprobar la política y decidir las consecuencias de su "
                        "incumplimiento.\n- **Responsable del SGC:** revisarla cada año y comunicar sus cambios a "
                        "todos.\n- **Todo el personal y los contratistas:** conocerla, firmar el acuerdo de "
                        "confidencialidad y cumplirla.",
    "definitions": "- **Información confidencial:** la estrategia y el análisis legal de los casos, los datos "
                   "personales y sensibles de los clientes, los documentos y las comunicaciones marcados como "
                   "confidenciales.",
    "procedure": "1. Definir claramente qué información es considerada confidencial.\n"
                 "2. Establecer niveles de acceso basados en roles y requerir autorizaciones para acceder a datos "
                 "sensibles.\n"
                 "3. Mantener registros de quién accede a la información y revisar los accesos regularmente.\n"
                 "4. Utilizar contraseñas fuertes y autenticación de dos factores.\n"
                 "5. Limitar el uso de dispositivos personales para acceder a información.\n"
                 "6. Pactar cláusulas de confidencialidad en todos los contratos con empleados y contratistas.\n"
                 "7. **Consecuencias del incumplimiento:** " + CONSEQUENCES + "\n"
                 "8. Programar revisiones anuales de la política, incluyendo los cambios en la legislación sobre "
                 "privacidad, y comunicar los cambios a todos.",
    "records": "- Acuerdos de confidencialidad firmados.\n- Registro de accesos a información confidencial.",
    "related": "- PRO 008 Gestión del Cliente.\n- Ley 1581 de 2012 (protección de datos personales).",
}


def load(accounts, today) -> None:
    from core.db import utcnow
    from models.manual import ManualAck, ManualDocument, ManualVersion
    from models.users import User, UserRole
    from services import manual
    from services.manual import agreements, follow

    quality, boss = accounts["quality"], accounts["management"]
    policy = manual.create_document({"code": CODE, "title": TITLE, "kind": "policy", "owner": quality.id,
                                     "created_label": "EGC", "approved_label": "CEO", "change_summary": "Original",
                                     "justification": "La firma no tenía por escrito su política de confidencialidad.",
                                     **SECTIONS}, quality)
    version = policy.versions.get()
    manual.submit(version, quality)
    manual.approve(version, boss)
    manual.publish(version, boss, on=today - timedelta(days=320))

    # PRO 008: every 12 months; reviewed once, still valid; concerns commercial and customer service.
    pro008 = ManualDocument.get(ManualDocument.code == "PRO 008")
    follow.set_plan(pro008, {"review_months": 12, "concerned_roles": ["commercial", "service"]}, quality)
    follow.record_review(pro008, {"outcome": "still_valid",
                                  "note": "Revisado con gerencia y el departamento comercial: los plazos y los "
                                          "registros siguen como se aplican.",
                                  "law_change": "Ley 2300 de 2023 (horarios de contacto con clientes): los contactos "
                                                "de seguimiento ya se hacen en días y horas hábiles."},
                         quality, today - timedelta(days=340))
    in_force = ManualVersion.get_by_id(pro008.current_id)
    follow.ask_to_read(in_force, pro008, quality, today - timedelta(days=340), notify=False)
    readers = list(ManualAck.select().where(ManualAck.version == in_force.id).order_by(ManualAck.id))
    for n, ack in enumerate(readers[:-2] if len(readers) > 2 else readers[:1]):  # one or two still pending
        ManualAck.update(acknowledged_at=utcnow() - timedelta(days=335 - n % 20)).where(ManualAck.id == ack.id).execute()

    staff = (User.select().join(UserRole).where(UserRole.role == "commercial", User.is_active == True)  # noqa: E712
             .order_by(User.id).first())
    agreements.create({"kind": "staff", "user": staff.id, "policy_version": version.id,
                       "signed_on": today - timedelta(days=300), "consequences": CONSEQUENCES}, None, boss, today)
    agreements.create({"kind": "contractor", "person_name": "Andrés Felipe Vélez",
                       "organisation": "Soporte Informático Andino SAS", "policy_version": version.id,
                       "signed_on": today - timedelta(days=45), "consequences": CONSEQUENCES}, None, boss, today)
