# Mensajes a los clientes, en español.

money = { $amount } { $currency }
greeting = Estimado/a { $name }:
closing =
    Atentamente,
    Cuentas por Cobrar

## Acuse de recibo

acknowledgement-subject = Hemos recibido su reclamación sobre la factura { $invoice } (referencia { $dispute })
acknowledgement-thanks = Gracias por informarnos sobre la factura { $invoice }. Recibimos su reclamación el { $received }: { $reason ->
        [overcharged] se le cobró más de lo acordado.
        [duplicate] se le cobró dos veces por lo mismo.
        [not-received] se le cobró algo que no recibió.
        [wrong-price] se le aplicó un precio incorrecto.
        [late-fee] considera injusto el recargo por demora.
       *[other] no está de acuerdo con un cargo.
    } Su referencia es { $dispute }; por favor, indíquela siempre que nos escriba sobre este asunto.
acknowledgement-next = Próximos pasos: revisaremos la factura con su contrato, las entregas y los pagos que tenemos registrados, y le escribiremos con nuestras conclusiones a más tardar el { $respond_by }.
acknowledgement-documents = Si tiene documentos que respalden su reclamación, como una orden de compra, un albarán o un comprobante de pago, puede enviarlos respondiendo a este mensaje.

## Solicitud de información

information-request-subject = Necesitamos información para resolver su reclamación { $dispute }
information-request-intro = Para seguir revisando su reclamación sobre la factura { $invoice }, necesitamos { $count ->
        [one] lo siguiente:
       *[other] estas { $count } cosas:
    }
information-needed = - { $item ->
        [proof-of-payment] un comprobante de pago, como un extracto bancario o un aviso de transferencia;
        [disputed-lines] qué líneas de la factura reclama y por qué;
        [purchase-order] su orden de compra de los bienes o servicios facturados;
        [delivery-details] qué recibió y cuándo, por ejemplo un albarán;
       *[bank-details] la cuenta bancaria en la que desea recibir el reembolso.
    }
information-request-deadline = Por favor, { $count ->
        [one] envíenoslo
       *[other] envíenoslos
    } respondiendo a este mensaje antes del { $respond_by }, indicando la referencia { $dispute }. Si para entonces no tenemos noticias suyas, decidiremos con la información de que disponemos.

## Explicación de los cargos

explanation-subject = Los cargos de la factura { $invoice }, línea por línea
explanation-intro = Como le prometimos, le explicamos cómo se calculó cada cargo de la factura { $invoice } del { $invoice_date }. La factura asciende a { $total } en { $count ->
        [one] una línea.
       *[other] { $count } líneas.
    }
explanation-line = { $number }. { $description }: { $amount }
explanation-contract = Contrato { $contract } del { $signed_on }: { $quantity } a { $unit_price } cada uno.
explanation-delivery = Entregado el { $delivered_on }: { $quantity } (entrega { $reference }).
explanation-payment = Pagado el { $paid_on }: { $amount } (pago { $reference }).
explanation-no-facts = No tenemos registrado ningún contrato, entrega, pago ni aviso para esta línea.
notice-sent = { $kind ->
        [invoice] La factura se le envió
        [reminder] Se le envió un recordatorio
       *[overdue-notice] Se le envió un aviso de vencimiento
    } el { $sent_on }.
notice-sent-for = { $kind ->
        [invoice] La factura, por { $amount }, se le envió
        [reminder] Se le envió un recordatorio por { $amount }
       *[overdue-notice] Se le envió un aviso de vencimiento por { $amount }
    } el { $sent_on }.
explanation-closing = Si algo no coincide con sus registros, respóndanos indicando la referencia { $dispute } y la línea en cuestión; volveremos a revisarla.

## Propuesta de resolución

offer-subject = Nuestra propuesta para resolver su reclamación { $dispute }
offer-intro = Hemos revisado su reclamación sobre la factura { $invoice } y estamos de acuerdo en que debe corregirse. { $count ->
        [one] Le proponemos:
       *[other] Puede elegir una de estas { $count } opciones:
    }
offer-credit-note = - una nota de crédito de { $amount } sobre la factura { $invoice }, que reduce lo que adeuda en ella;
offer-refund = - un reembolso de { $amount } a la cuenta desde la que pagó;
offer-account-credit = - un saldo a favor de { $amount } en su cuenta, que se aplicará a sus próximas facturas;
offer-payment-plan = - pagar los { $total } adeudados en { $count ->
        [one] un plazo:
       *[other] { $count } plazos:
    }
instalment = { $number }. { $amount } con vencimiento el { $due_on }
offer-reply = { $count ->
        [one] Le rogamos que nos confirme antes del { $reply_by } si le parece bien: acéptelo en línea con el enlace de abajo, o responda a este mensaje, y lo pondremos en marcha de inmediato.
       *[other] Le rogamos que nos indique antes del { $reply_by } qué opción prefiere: acéptela en línea con el enlace de abajo, o responda a este mensaje, y la pondremos en marcha de inmediato.
    }

## Rechazo

rejection-subject = El resultado de su reclamación { $dispute }
rejection-intro = Hemos revisado con atención su reclamación sobre la factura { $invoice }. Los cargos son correctos, por lo que no podemos modificar la factura. { $count ->
        [one] Esto es lo que comprobamos:
       *[other] Estas son las { $count } comprobaciones que hicimos:
    }
rejection-price-as-contracted = - El precio cobrado es el acordado en el contrato { $contract } del { $signed_on }: { $unit_price } por unidad.
rejection-delivered = - La entrega { $reference } de { $quantity } se realizó el { $delivered_on }.
rejection-notice = - { $notice }
rejection-not-a-duplicate = - La factura { $other } corresponde a otra entrega, por lo que cada cargo se hizo una sola vez.
rejection-next = Si tiene documentos que indiquen lo contrario, envíenoslos antes del { $reply_by } y los revisaremos. De lo contrario, sigue pendiente el pago de { $amount }.

## La respuesta completa en un solo mensaje

reply-thanks = Gracias por comunicarnos sus dudas sobre la factura { $invoice }. La hemos revisado línea por línea con su contrato, las entregas y los pagos que tenemos registrados.
reply-apology = Lo sentimos: nuestros registros muestran que cometimos un error en esta factura, y lo vamos a corregir.

## Actualización

status-update-subject = Novedades sobre su reclamación { $dispute }
status-update-where = Su reclamación sobre la factura { $invoice } lleva { $days ->
        [one] un día
       *[other] { $days } días
    } abierta y no la hemos olvidado. { $stage ->
        [checking] Seguimos revisando la factura con su contrato y nuestros registros.
        [awaiting-approval] Tenemos una propuesta preparada que está pendiente de aprobación.
       *[awaiting-your-reply] Estamos a la espera de su respuesta a nuestro último mensaje.
    } Lamentamos que esté tardando más de lo que quisiéramos.
status-update-next = Le escribiremos de nuevo a más tardar el { $next_update_by }.

## Confirmación

confirmation-subject = Su reclamación { $dispute } se ha resuelto
confirmation-intro = Hemos hecho lo acordado para su reclamación sobre la factura { $invoice }. { $count ->
        [one] Le adjuntamos el documento para sus registros:
       *[other] Estos son los { $count } documentos para sus registros:
    }
confirmation-credit-note = - Nota de crédito { $number } del { $issued_on }, por { $amount }, sobre la factura { $invoice }.
confirmation-refund = - Un reembolso de { $amount }, pagado el { $paid_on } (referencia { $reference }).
confirmation-account-credit = - Un saldo a favor de { $amount }, abonado en su cuenta el { $credited_on }.
confirmation-corrected-invoice = - La factura { $number } del { $issued_on }, por { $amount }, que sustituye a la factura { $invoice }.
confirmation-payment-plan = - El plan de pagos { $number }, por { $total } en { $count ->
        [one] un plazo:
       *[other] { $count } plazos:
    }
confirmation-closed = Su reclamación queda cerrada. Gracias por su paciencia mientras la revisábamos.

## Aviso de importes no facturados

arrears-subject = Una corrección de sus facturas del { $start } al { $end }
arrears-apology = Al revisar nuestra facturación, hemos visto que entre el { $start } y el { $end } le facturamos menos de lo que establece su contrato: en total, { $amount } no se facturaron. El error fue nuestro y le pedimos disculpas.
arrears-options = { $count ->
        [one] Le proponemos regularizarlo así:
       *[other] Queremos regularizarlo de la forma que más le convenga. Puede elegir una de estas { $count } opciones:
    }
arrears-next-invoice = - añadir { $amount } a su próxima factura;
arrears-separate-invoice = - una factura aparte por { $amount }, con vencimiento el { $due_on };
arrears-instalments = - pagar los { $total } en { $count ->
        [one] un plazo:
       *[other] { $count } plazos:
    }
arrears-reply = Le rogamos que nos indique su elección antes del { $reply_by }. Si tiene cualquier duda sobre los importes, responda a este mensaje y se los explicaremos con mucho gusto.

## Encuesta de satisfacción

satisfaction-subject = ¿Cómo gestionamos su reclamación { $dispute }?
satisfaction-ask = Su reclamación sobre la factura { $invoice } ya está cerrada y nos gustaría saber cómo lo hicimos. En una escala del 1 (muy insatisfecho) al 5 (muy satisfecho), ¿cómo valoraría la forma en que la gestionamos? Le llevará menos de un minuto: { $link }
satisfaction-thanks = Gracias: su respuesta nos ayuda a mejorar.

## The customer's own link to the portal, at the end of every message

portal-footer = Puede seguir su reclamación, respondernos y enviarnos documentos en línea: { $link }
