//! `GET /portal/{token}/documents/credit-notes/{id}.pdf` and
//! `GET /portal/{token}/documents/invoices/{id}.pdf`: a credit note or an invoice Redress
//! issued, as PDF in the customer's language, only when it is the customer's own (any other is
//! not found, whether it exists or not).

use crate::PortalState;
use crate::guard::{Visit, enter};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use redress_domain::message::DocumentRef;
use redress_service::ServiceError;

/// `GET /portal/{token}/documents/credit-notes/{id}.pdf`.
pub async fn credit_note(
    State(state): State<PortalState>,
    Path((token, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let visit = match enter(&state, &token, &headers).await {
        Ok(visit) => visit,
        Err(refused) => return refused,
    };
    let Some(id) = file.strip_suffix(".pdf") else {
        return super::not_found(&state, &visit);
    };
    let theirs = match state.redress.books().credit_note(id).await {
        Ok(note) => note.is_some_and(|n| n.customer_id == visit.visitor.customer_id),
        Err(e) => return super::failed(&state, Some(&visit), &ServiceError::from(e)),
    };
    if !theirs {
        return super::not_found(&state, &visit);
    }
    pdf(&state, &visit, DocumentRef::CreditNote(id.to_owned())).await
}

/// `GET /portal/{token}/documents/invoices/{id}.pdf`.
pub async fn invoice(
    State(state): State<PortalState>,
    Path((token, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let visit = match enter(&state, &token, &headers).await {
        Ok(visit) => visit,
        Err(refused) => return refused,
    };
    let Some(id) = file.strip_suffix(".pdf") else {
        return super::not_found(&state, &visit);
    };
    let theirs = match state.redress.books().issued_invoice(id).await {
        Ok(invoice) => invoice.is_some_and(|i| i.customer_id == visit.visitor.customer_id),
        Err(e) => return super::failed(&state, Some(&visit), &ServiceError::from(e)),
    };
    if !theirs {
        return super::not_found(&state, &visit);
    }
    pdf(&state, &visit, DocumentRef::IssuedInvoice(id.to_owned())).await
}

async fn pdf(state: &PortalState, visit: &Visit, document: DocumentRef) -> Response {
    let made = state
        .redress
        .documents()
        .pdf(&document, Some(visit.visitor.language))
        .await;
    match made {
        Ok(Some(pdf)) => {
            let mut response = pdf.bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            );
            let name: String = pdf
                .file_name
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .collect();
            if let Ok(disposition) =
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            {
                headers.insert(header::CONTENT_DISPOSITION, disposition);
            }
            response
        }
        Ok(None) => super::not_found(state, visit),
        Err(e) => super::failed(state, Some(visit), &e),
    }
}
