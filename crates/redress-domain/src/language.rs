//! The languages Redress writes to customers in, and how a customer's language code picks one.

/// A language Redress writes customer messages in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// US English (`en-US`), and the language used when we do not write in the customer's.
    English,
    /// Spanish (`es`).
    Spanish,
    /// Simplified Chinese (`zh-Hans`).
    SimplifiedChinese,
}

impl Language {
    /// Every language we write in, English first.
    pub const ALL: [Self; 3] = [Self::English, Self::Spanish, Self::SimplifiedChinese];

    /// The language for a customer whose `language` column (customers.csv) holds `code`
    /// (`en`, `es`, `es-MX`, `zh`, `zh-CN`, `zh-Hans`, `de`, …), and whether we write in it.
    ///
    /// The flag is `false` when the code names a language we do not write in (German,
    /// Traditional Chinese, …) or is empty or unreadable: the message is then in English, and
    /// the agent should know the customer may prefer another language. A bare `zh` and the
    /// regions that write Simplified Chinese (`CN`, `SG`, `MY`) are Simplified Chinese;
    /// `zh-Hant`, `zh-TW`, `zh-HK` and `zh-MO` are not.
    pub fn for_customer(code: &str) -> (Self, bool) {
        let lowered = code.trim().to_ascii_lowercase().replace('_', "-");
        let mut parts = lowered.split('-');
        let primary = parts.next().unwrap_or_default();
        let rest: Vec<&str> = parts.collect();
        match primary {
            "en" => (Self::English, true),
            "es" => (Self::Spanish, true),
            "zh" => {
                let traditional = rest
                    .iter()
                    .any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo"));
                if traditional {
                    (Self::English, false)
                } else {
                    (Self::SimplifiedChinese, true)
                }
            }
            _ => (Self::English, false),
        }
    }

    /// Its BCP 47 tag, as the message files are named: `en-US`, `es`, `zh-Hans`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::English => "en-US",
            Self::Spanish => "es",
            Self::SimplifiedChinese => "zh-Hans",
        }
    }

    /// The language whose [tag](Language::tag) is `tag`, as stored.
    pub fn from_tag(tag: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.tag() == tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_customers_codes_we_write_in_give_their_language() {
        for (code, language) in [
            ("en", Language::English),
            ("en-GB", Language::English),
            ("es", Language::Spanish),
            ("es-MX", Language::Spanish),
            ("ES", Language::Spanish),
            ("zh", Language::SimplifiedChinese),
            ("zh-CN", Language::SimplifiedChinese),
            ("zh_CN", Language::SimplifiedChinese),
            ("zh-Hans", Language::SimplifiedChinese),
            ("zh-Hans-SG", Language::SimplifiedChinese),
        ] {
            assert_eq!(Language::for_customer(code), (language, true), "{code}");
        }
    }

    #[test]
    fn a_language_is_found_again_by_its_tag() {
        for language in Language::ALL {
            assert_eq!(Language::from_tag(language.tag()), Some(language));
        }
        assert_eq!(Language::from_tag("en"), None);
    }

    #[test]
    fn a_language_we_do_not_write_in_is_english_and_says_so() {
        for code in ["de", "fr", "zh-Hant", "zh-TW", "", "  ", "??"] {
            assert_eq!(
                Language::for_customer(code),
                (Language::English, false),
                "{code:?}"
            );
        }
    }
}
