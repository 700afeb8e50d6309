# Las palabras del portal del cliente, en español (de usted): las mismas claves que el inglés.

## Todas las páginas

skip-link = Saltar al contenido principal
nav-label = Su cuenta
nav-disputes = Sus reclamaciones
nav-new-dispute = Abrir una reclamación
nav-write = Escríbanos
breadcrumb = Ruta de navegación
footer = ¿Preguntas? Responda a cualquiera de nuestros correos o escriba a { $email }.
title-error = Error: { $title }
error-summary-title = Hay un problema
error-word = Error:
back-home = Ir a sus reclamaciones
moment = { $day }, { $time }
size-kb = { $size } KB
size-mb = { $size } MB

## Páginas que explican por qué no se puede mostrar más

refused-title = Este enlace no abre su cuenta
refused-unknown = Este enlace no es uno de los que enviamos. Puede que esté incompleto o mal escrito.
refused-expired = Este enlace caducó el { $day }. Nuestros enlaces funcionan durante un tiempo limitado, para proteger su cuenta.
refused-revoked = Este enlace se retiró el { $day }.
refused-what-to-do = Pídanos un enlace nuevo: responda a cualquiera de nuestros correos o escriba a { $email }.
not-found-title = Página no encontrada
not-found-text = No hay nada suyo en esta dirección. Puede que esté mal escrita.
form-refused-title = Este formulario se rechazó
form-refused-text = El formulario no venía de esta página tal como se la mostramos, así que no se cambió nada. Vuelva atrás, recargue la página e inténtelo de nuevo.
bad-form-title = No se pudo leer este formulario
bad-form-text = No se cambió nada. Vuelva atrás, recargue la página e inténtelo de nuevo.
too-large-title = Este formulario es demasiado grande
not-now-title = Esto ya no se puede hacer
not-now-text = La página cambió desde que la abrió, así que no se cambió nada. Vuelva atrás y recargue la página para ver cómo está todo.
unavailable-title = No podemos responder en este momento
unavailable-text = No se cambió nada. Inténtelo de nuevo dentro de unos minutos.

## Después de un formulario

done-replied = Su respuesta se envió. Está en la conversación, más abajo.
done-attached = Su documento se envió. Está en la lista de documentos, más abajo.
done-rated = Gracias por decirnos cómo lo hicimos.
done-opened = Su reclamación se abrió. La revisaremos y le escribiremos.
done-chosen = Gracias. Su elección se llevó a cabo: esto es lo que facturamos.

## Estados de una reclamación, y qué pasa después

status-open = Recibida
status-acknowledged = Confirmada
status-investigating = En estudio
status-awaiting-customer = Esperando su respuesta
status-resolved = Resuelta
status-closed = Cerrada
status-withdrawn = Retirada
next-heading = Qué pasa ahora
next-open = Hemos recibido su reclamación. Compararemos su factura con su contrato, sus entregas y sus pagos, y le escribiremos con lo que encontremos.
next-acknowledged = Estamos comparando su factura con su contrato, sus entregas y sus pagos. Le escribiremos con lo que encontremos.
next-investigating = Estamos estudiando su reclamación. Le escribiremos cuando tengamos una respuesta; mientras tanto puede añadir lo que quiera más abajo.
next-awaiting-customer = Le pedimos algo. Responda más abajo o envíenos un documento: seguiremos en cuanto tengamos noticias suyas.
next-resolved = Lo hemos corregido como se indica más abajo. Díganos cómo lo hicimos.
next-closed = Esta reclamación está cerrada. Si algo sigue mal, responda más abajo y volveremos a revisarlo.
next-withdrawn = Esta reclamación se retiró. Si algo sigue mal, responda más abajo o abra una reclamación nueva.
next-offer = Le hemos hecho una propuesta para corregirlo. Elija cómo prefiere resolverlo en «Nuestra propuesta», más abajo, o díganos por qué ninguna le conviene.

## Motivos

reason-overcharged = Me cobraron más de lo acordado
reason-duplicate = Me cobraron dos veces
reason-not-received = Me cobraron algo que no recibí
reason-wrong-price = Precio incorrecto
reason-late-fee = Recargo por demora injusto
reason-other = Otro motivo

## Inicio

home-title = Sus reclamaciones
home-greeting = Hola, { $name }. Estas son las reclamaciones que nos ha presentado y cómo está cada una.
home-empty = No tiene ninguna reclamación con nosotros.
home-open-new = Abrir una reclamación sobre una factura
disputes-heading = Reclamaciones
disputes-caption = Sus reclamaciones, de la más reciente a la más antigua
col-reference = Referencia
col-invoice = Factura
col-disputed = Importe reclamado
col-status = Estado
col-last-change = Último cambio
corrections-title = Correcciones que esperan su elección
corrections-intro = Le facturamos menos de lo que dice su contrato. Elija cómo prefiere regularizarlo.
corrections-earlier = Correcciones anteriores
correction-link = Corrección de { $amount }
case-offered = Esperando su elección
case-awaiting-approval = Estamos estudiando su petición
case-settled = Regularizada
term-reference = Referencia
term-told-on = Detectada el

## Una reclamación

dispute-title = Su reclamación { $id }
dispute-lead-line = Usted reclamó { $amount } de la factura { $invoice }, línea { $line }, el { $day }.
dispute-lead-whole = Usted reclamó { $amount } de la factura { $invoice } el { $day }.
term-status = Estado
term-reason = Motivo
term-invoice = Factura
invoice-heading = Su factura, línea por línea
invoice-intro = Comparamos cada línea con su contrato, sus entregas y sus pagos. Esto es lo que encontramos en cada una.
invoice-caption = Factura { $invoice }, emitida el { $issued }
invoice-missing = No podemos mostrar esta factura aquí. Escríbanos y se la enviaremos.
invoice-subtotal = Subtotal
invoice-tax = Impuestos
invoice-total = Total
invoice-whole-heading = En la factura en su conjunto
col-line = Línea
line-label = Línea { $line }
col-amount = Importe
line-disputed = Usted reclamó esta línea
line-no-error = Revisada: sin errores
line-quantity-price = { $quantity } × { $price }
line-late-fee = Recargo por demora de la factura { $invoice }
price-less-discount = { $price }, menos un { $percent } %
verdict-upheld = Nuestros registros respaldan su reclamación.
verdict-partly-upheld = Nuestros registros respaldan parte de su reclamación.
verdict-rejected = Nuestros registros no muestran ningún error a su favor en esta factura.
finding-amounts = Facturado { $billed }; según su contrato y nuestros registros debería ser { $expected }.
finding-in-your-favour = A su favor: { $amount }.
evidence-price = Su contrato { $contract } fija para { $sku } un precio de { $price } por unidad.
evidence-quantities = { $billed } unidades facturadas, { $delivered } entregadas.
evidence-line = Comparada con la factura { $invoice }, línea { $line }.
evidence-deliveries = { $n ->
    [one] Revisamos 1 registro de entrega.
   *[other] Revisamos { $n } registros de entrega.
}
evidence-payments = { $n ->
    [one] Revisamos 1 pago.
   *[other] Revisamos { $n } pagos.
}
evidence-notices = { $n ->
    [one] Revisamos 1 aviso que le enviamos.
   *[other] Revisamos { $n } avisos que le enviamos.
}
evidence-late-fee-for = El recargo por demora se cobra por la factura { $invoice }.
finding-outside-contract = Cobro de un periodo fuera de su contrato
finding-unknown-charge = Cobro de algo sin precio en su contrato
finding-duplicate-charge = El mismo cargo facturado dos veces
finding-price-mismatch = Un precio por unidad distinto del de su contrato
finding-discount-missing = No se aplicó el descuento de su contrato
finding-line-arithmetic = El importe de la línea no cuadra
finding-quantity-overbilled = Más unidades facturadas que entregadas
finding-unbilled-delivery = Unidades entregadas y no facturadas
finding-tax-mismatch = Impuestos distintos del tipo de su contrato
finding-total-mismatch = El subtotal o el total no cuadran
finding-overpayment = Pagado más que el total de la factura
finding-late-fee-unwarranted = Un recargo por demora sin motivo
finding-late-fee-excess = Un recargo por demora superior al tipo de su contrato
decided-heading = Lo que decidimos
decided-none = Todavía no se ha decidido nada. Le escribiremos cuando se decida.
decided-on = Hecho el
resolution-credit-note = Factura rectificativa (abono)
resolution-refund = Reembolso
resolution-account-credit = Saldo a favor en su cuenta
resolution-goodwill = Descuento de cortesía
resolution-payment-plan = Plan de pagos
resolution-write-off = Importe condonado
resolution-reject = No aceptamos su reclamación
resolution-corrected-invoice = Factura corregida
download-credit-note = Descargar el abono { $id } (PDF)
download-invoice = Descargar la factura { $id } (PDF)
conversation-heading = Conversación
conversation-empty = Todavía no hay mensajes.
message-from-you = Usted escribió
message-from-us = { $business } escribió
reply-label = Su respuesta
reply-hint = Leemos todas las respuestas. No incluya números de tarjeta ni contraseñas.
reply-button = Enviar respuesta
reply-empty = Escriba su respuesta antes de enviarla
reply-too-long = Una respuesta puede tener como máximo { $max } caracteres
files-heading = Documentos
files-none = Todavía no hay documentos.
file-item = { $name } ({ $size }), enviado por { $who } el { $day }
file-by-you = usted
file-by-us = nosotros
attach-label = Un documento para enviarnos
attach-hint = PDF, PNG, JPEG, texto, CSV, correo o JSON, de hasta { $size } MB.
attach-button = Enviar el documento
attach-none = Elija un documento para enviar
attach-empty = El documento que eligió está vacío
attach-too-large = El documento ocupa más de { $size } MB
attach-wrong-type = No podemos recibir este tipo de archivo: envíe un archivo PDF, PNG, JPEG, de texto, CSV, de correo o JSON
attach-not-what-it-says = El documento no es lo que dice su tipo (quizá un archivo renombrado): envíe el PDF, la imagen o el texto mismo
attach-bad-name = El nombre del documento debe ser el de un archivo, sin carpetas, de 255 caracteres como máximo
rating-heading = ¿Cómo lo hicimos?
rating-legend = ¿Qué tan satisfecho está con cómo gestionamos esta reclamación?
rating-comment-label = Algo que quiera decirnos (opcional)
rating-choose = Elija su grado de satisfacción, del 1 al 5
rating-1 = 1: Muy insatisfecho
rating-2 = 2: Insatisfecho
rating-3 = 3: Ni satisfecho ni insatisfecho
rating-4 = 4: Satisfecho
rating-5 = 5: Muy satisfecho
rating-given = Usted valoró cómo gestionamos esta reclamación con un { $score } sobre 5. Gracias.
rating-your-comment = Usted nos dijo:

## Una reclamación nueva

new-title = Abrir una reclamación
new-intro = Díganos qué factura está mal y por qué. La comparamos con su contrato y nuestros registros, y le escribimos.
new-no-invoices = No tenemos ninguna factura suya registrada, así que aquí no hay nada que reclamar. Escríbanos a { $email }.
new-invoice-label = La factura
new-invoice-choose = Elija una factura
new-invoice-option = { $invoice }, emitida el { $day }
new-line-label = Número de línea (opcional)
new-line-hint = Déjelo vacío si reclama toda la factura
new-reason-legend = ¿Por qué la reclama?
new-amount-label = El importe que reclama
new-amount-hint = Sin impuestos, en la moneda de la factura
new-words-label = Con sus propias palabras
new-words-hint = Qué está mal y qué quiere que hagamos
new-button = Abrir la reclamación
err-invoice = Elija la factura que reclama
err-line = Escriba el número de línea como un número entero, por ejemplo 2, o déjelo vacío
err-line-unknown = La factura { $invoice } no tiene línea { $line }
err-reason = Elija por qué reclama la factura
err-amount = Escriba el importe que reclama, por ejemplo { $example }
err-amount-decimals = Escriba el importe en { $currency } con { $decimals } decimales como máximo
err-words = Cuéntenos con sus propias palabras qué está mal
err-words-long = Escriba como máximo { $max } caracteres

## Una corrección de lo facturado de menos

correction-title = Una corrección de sus facturas
correction-apology = Le pedimos disculpas: le facturamos menos de lo que dice su contrato. Detectamos el error nosotros mismos y queremos corregirlo de la manera que mejor le convenga.
correction-found = Lo detectamos el { $day }.
items-heading = Lo que facturamos de menos
items-caption = Importes que facturamos de menos
col-what = Concepto
col-period = Periodo
col-under-billed = Facturado de menos, sin impuestos
item-invoice = Factura { $invoice }
item-unbilled = Entregas que no facturamos
period = del { $from } al { $to }
correction-net = Sin impuestos
correction-tax = Impuestos
correction-total = Total
choose-heading = Su elección
options-legend = ¿Cómo prefiere regularizarlo?
option-next-invoice = Añadirlo a mi próxima factura
option-next-invoice-hint = No tiene que pagar nada ahora: se factura con su próxima factura.
option-separate = Enviarme una factura aparte
option-separate-hint = Una factura ahora, por { $total }.
option-plan = Pagarlo en plazos mensuales
option-plan-hint = Indique el número de plazos más abajo; el primero vence el { $day } y luego uno cada mes.
instalments-label = Número de plazos mensuales
instalments-hint = De 2 a 12, si elige pagar a plazos
choose-button = Confirmar mi elección
err-option = Elija cómo prefiere regularizarlo
err-instalments = Escriba un número de plazos entre 2 y 12
billed-heading = Lo que facturamos
chosen-waiting = Estamos estudiando su petición y le escribiremos.
chosen-next-invoice = Se añadirá a su próxima factura.
chosen-separate = Emitimos una factura aparte por este importe.
chosen-plan = Se reparte en plazos mensuales:
chosen-compromise = Acordamos facturar una parte.
chosen-waived = No lo facturaremos.
plan-caption = Sus plazos
col-due = Vence el
offer-heading = Nuestra propuesta
offer-intro-one = Esto es lo que le proponemos para corregirlo. Si lo acepta, lo aplicamos de inmediato.
offer-intro-many = Estas son las formas en que le proponemos corregirlo: elija la que mejor le convenga. Aplicamos de inmediato la que acepte.
offer-accept = Aceptar esta opción
offer-instalment = { $amount } con vencimiento el { $day }
offer-does-credit-note = Emitimos una nota de crédito que reduce su factura en este importe, antes de impuestos.
offer-does-refund = Le devolvemos este importe.
offer-does-account-credit = Abonamos este importe en su cuenta, para sus próximas facturas.
offer-does-goodwill = Descontamos este importe de su factura, como gesto de buena voluntad.
offer-does-payment-plan = Paga lo pendiente de su factura en estas cuotas mensuales.
offer-does-write-off = Renunciamos a este importe de lo que debe en la factura.
offer-does-reject = Mantenemos los cargos tal como están, por el motivo que sigue.
offer-does-corrected-invoice = Volvemos a emitir su factura con las líneas corregidas; la anterior queda anulada.
offer-decline-heading = ¿Ninguna le conviene?
offer-decline-label = Díganos por qué (opcional)
offer-decline-button = Rechazar la propuesta
offer-declined = Rechazó nuestra propuesta el { $day }. Volveremos a revisar su reclamación y le escribiremos.
offer-gone = Esta propuesta ya no se puede aceptar ni rechazar: ya fue respondida o su reclamación ha avanzado. La página muestra en qué punto está.
offer-failed = No pudimos aplicarla en este momento. No se ha cambiado nada: inténtelo más tarde, o responda abajo y lo solucionaremos.
done-accepted = Gracias. Hemos aplicado lo que aceptó: lo verá abajo, con su documento.
done-declined = Hemos recibido su respuesta. Volveremos a revisar su reclamación y le escribiremos.
