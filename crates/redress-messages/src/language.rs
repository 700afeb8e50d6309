//! The languages Redress writes to customers in (the domain's [`Language`]), and their
//! identifiers for the Fluent bundles.

pub use redress_domain::Language;
use unic_langid::{LanguageIdentifier, langid};

static EN_US: LanguageIdentifier = langid!("en-US");
static ES: LanguageIdentifier = langid!("es");
static ZH_HANS: LanguageIdentifier = langid!("zh-Hans");

/// `language`'s identifier for the Fluent bundles.
pub(crate) fn identifier(language: Language) -> &'static LanguageIdentifier {
    match language {
        Language::English => &EN_US,
        Language::Spanish => &ES,
        Language::SimplifiedChinese => &ZH_HANS,
    }
}
