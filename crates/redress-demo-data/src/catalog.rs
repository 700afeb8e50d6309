//! The fixed vocabulary the generator draws from: currencies with their taxes and price lists,
//! customer names, delivery references and dispute narratives in each customer's language.
//!
//! Prices are written as decimal strings exactly as a price list would carry them, some with
//! more decimals than their currency (`8.333` USD a seat, `0.0125` USD a call), because that is
//! where rounding half away from zero matters.

/// A currency the demo bills in, with the taxes, languages and prices that go with it.
pub(crate) struct CurrencyProfile {
    /// ISO 4217 code.
    pub code: &'static str,
    /// Relative share of customers billed in it.
    pub weight: u32,
    /// Tax rates in percent a contract in this currency may carry.
    pub taxes: &'static [&'static str],
    /// Languages of customers billed in it (the first is the most common).
    pub languages: &'static [&'static str],
    /// Monthly platform subscription.
    pub sub: &'static [&'static str],
    /// One user seat a month.
    pub seats: &'static [&'static str],
    /// One hour of support.
    pub hours: &'static [&'static str],
    /// One metered API call.
    pub usage: &'static [&'static str],
    /// One GB-month of storage.
    pub storage: &'static [&'static str],
    /// Ad-hoc services that no contract prices: EXPEDITE, SETUP, TRAINING.
    pub extras: [&'static str; 3],
}

/// Every currency the demo uses: two-decimal ones, a zero-decimal one (JPY) and a three-decimal
/// one (KWD).
pub(crate) const CURRENCIES: &[CurrencyProfile] = &[
    CurrencyProfile {
        code: "USD",
        weight: 30,
        taxes: &["8.875", "0", "7.25", "6.5"],
        languages: &["en", "en", "es"],
        sub: &["49.00", "99.00", "249.00", "19.99"],
        seats: &["8.333", "12.50", "15.00"],
        hours: &["75.50", "120.00", "95.00"],
        usage: &["0.0125", "0.004", "0.0009"],
        storage: &["0.023", "0.10"],
        extras: ["50.00", "450.00", "1200.00"],
    },
    CurrencyProfile {
        code: "EUR",
        weight: 25,
        taxes: &["20", "19", "21", "0"],
        languages: &["de", "fr", "es", "en"],
        sub: &["45.00", "89.00", "229.00"],
        seats: &["7.99", "11.50", "9.875"],
        hours: &["70.00", "110.00", "85.25"],
        usage: &["0.011", "0.0035"],
        storage: &["0.021", "0.09"],
        extras: ["45.00", "400.00", "1100.00"],
    },
    CurrencyProfile {
        code: "GBP",
        weight: 12,
        taxes: &["20", "0"],
        languages: &["en"],
        sub: &["39.00", "79.00", "199.50"],
        seats: &["6.667", "10.00"],
        hours: &["65.00", "95.50"],
        usage: &["0.0095", "0.002"],
        storage: &["0.019"],
        extras: ["40.00", "350.00", "950.00"],
    },
    CurrencyProfile {
        code: "JPY",
        weight: 10,
        taxes: &["10"],
        languages: &["ja", "ja", "en"],
        sub: &["5500", "11000", "27500"],
        seats: &["980", "1500"],
        hours: &["9800", "12000"],
        usage: &["0.5", "1.2", "0.08"],
        storage: &["3", "2.5"],
        extras: ["5000", "50000", "150000"],
    },
    CurrencyProfile {
        code: "KWD",
        weight: 8,
        taxes: &["0"],
        languages: &["ar", "ar", "en"],
        sub: &["15.000", "30.500", "75.250"],
        seats: &["2.750", "4.1255"],
        hours: &["25.000", "37.500", "250.125"],
        usage: &["0.0045", "0.0012"],
        storage: &["0.007"],
        extras: ["15.000", "120.000", "350.500"],
    },
    CurrencyProfile {
        code: "CHF",
        weight: 5,
        taxes: &["8.1", "0"],
        languages: &["de", "fr"],
        sub: &["49.90", "99.00"],
        seats: &["9.90", "13.50"],
        hours: &["130.00", "145.50"],
        usage: &["0.013"],
        storage: &["0.025"],
        extras: ["50.00", "500.00", "1300.00"],
    },
];

/// SKU codes of the ad-hoc services in [`CurrencyProfile::extras`], in the same order.
pub(crate) const EXTRA_SKUS: [(&str, &str); 3] = [
    ("EXPEDITE", "Expedited handling"),
    ("SETUP", "One-time setup, \"white glove\""),
    ("TRAINING", "On-site training day"),
];

/// Customer names by language: a first part and a second part, combined at random. Several carry
/// commas, quotes, apostrophes or non-ASCII letters, as real exports do.
pub(crate) fn name_parts(language: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match language {
        "es" => (
            &[
                "Distribuciones",
                "Transportes",
                "Cafetería",
                "Construcciones",
                "Óptica",
            ],
            &[
                "Peña S.L.",
                "Núñez y Hijos, S.A.",
                "del Sur",
                "Ibáñez",
                "\"La Estrella\"",
            ],
        ),
        "de" => (
            &["Müller", "Schäfer", "Köhler", "Groß", "Weiß"],
            &[
                "& Söhne GmbH",
                "Logistik AG",
                "Bäckerei \"Zum Ofen\"",
                "Maschinenbau KG",
            ],
        ),
        "fr" => (
            &["Société", "Boulangerie", "Transports", "Éditions", "Café"],
            &[
                "Lefèvre & Fils",
                "de l'Étoile",
                "Gérard, SARL",
                "Hélène",
                "\"Le Zinc\"",
            ],
        ),
        "ja" => (
            &["さくら", "東京", "山田", "大阪", "Sora Müller"],
            &[
                "商事株式会社",
                "テック株式会社",
                "製作所",
                "物流",
                "株式会社",
            ],
        ),
        "ar" => (
            &["شركة الخليج", "مؤسسة النور", "الكويت", "دار السلام"],
            &["للتجارة", "للخدمات اللوجستية", "، ذ.م.م", "القابضة"],
        ),
        _ => (
            &[
                "Acme",
                "Northwind",
                "Blue Harbor",
                "Summit & Pine",
                "O'Connor",
                "Greenfield",
                "Redwood",
            ],
            &[
                "Logistics, Inc.",
                "Traders",
                "\"BH\" Ltd",
                "Analytics LLC",
                "Freight Co.",
                "Holdings, LLC",
            ],
        ),
    }
}

/// ASCII words for e-mail domains.
pub(crate) const DOMAINS: &[&str] = &[
    "acme",
    "northwind",
    "harbor",
    "summit",
    "sakura",
    "khaleej",
    "mueller",
    "etoile",
    "pena",
];

/// Payment methods and typical references.
pub(crate) const METHODS: &[(&str, &[&str])] = &[
    (
        "bank_transfer",
        &["SEPA", "wire", "furikomi", "KNET", "ACH"],
    ),
    ("card", &["ch_3Q", "card ending 4242", "pi_9X"]),
    ("direct_debit", &["mandate MD-", "DD"]),
    ("check", &["check no. ", "cheque"]),
];

/// Channels a notice goes out on.
pub(crate) const CHANNELS: &[&str] = &["email", "email", "post", "portal", "sms"];

/// English month names for line descriptions.
pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Why a customer disputes, as the `reason` column spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    Overcharged,
    Duplicate,
    NotReceived,
    WrongPrice,
    LateFee,
    Other,
}

impl Reason {
    /// The `reason` column's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Overcharged => "overcharged",
            Reason::Duplicate => "duplicate",
            Reason::NotReceived => "not_received",
            Reason::WrongPrice => "wrong_price",
            Reason::LateFee => "late_fee",
            Reason::Other => "other",
        }
    }

    /// Every reason, for disputes that are not about a known error.
    pub const ALL: [Reason; 6] = [
        Reason::Overcharged,
        Reason::Duplicate,
        Reason::NotReceived,
        Reason::WrongPrice,
        Reason::LateFee,
        Reason::Other,
    ];
}

/// A dispute narrative in the customer's language; `{inv}` stands for the invoice id. Some carry
/// commas, doubled quotes and line breaks, which the CSV writer must quote.
pub(crate) fn narrative(language: &str, reason: Reason) -> &'static str {
    use Reason::*;
    match (language, reason) {
        ("es", Overcharged) => "La factura {inv} cobra más de lo acordado, por favor revisen.",
        ("es", Duplicate) => "Este cargo ya aparece en una factura anterior: lo pagamos una vez.",
        ("es", NotReceived) => "No recibimos lo que se factura en {inv}.",
        ("es", WrongPrice) => "El precio no es el del contrato (¿falta el descuento?).",
        ("es", LateFee) => "Pagamos a tiempo, el recargo por mora de {inv} no procede.",
        ("es", Other) => "Hay algo raro en la factura {inv}.\nRevisen cada línea, gracias.",
        ("de", Overcharged) => "Die Rechnung {inv} ist zu hoch, bitte prüfen.",
        ("de", Duplicate) => "Diese Position wurde bereits berechnet und bezahlt.",
        ("de", NotReceived) => "Die berechnete Leistung haben wir nicht erhalten.",
        ("de", WrongPrice) => "Der Preis entspricht nicht dem Vertrag, \"Rabatt\" fehlt.",
        ("de", LateFee) => {
            "Wir haben pünktlich gezahlt; die Mahngebühr auf {inv} ist unberechtigt."
        }
        ("de", Other) => "Bitte prüfen Sie {inv} vollständig.\nVielen Dank.",
        ("fr", Overcharged) => "La facture {inv} est trop élevée, merci de vérifier.",
        ("fr", Duplicate) => "Cette ligne a déjà été facturée, et payée.",
        ("fr", NotReceived) => "Nous n'avons pas reçu la prestation facturée sur {inv}.",
        ("fr", WrongPrice) => "Le prix ne correspond pas au contrat (remise \"oubliée\" ?).",
        ("fr", LateFee) => "Nous avons payé à temps : les pénalités de retard sont injustifiées.",
        ("fr", Other) => "Merci de revoir toute la facture {inv}.\nCordialement.",
        ("ja", Overcharged) => "請求書{inv}の金額が契約より高いです。ご確認ください。",
        ("ja", Duplicate) => "この項目は前回の請求書で既に支払済みです。",
        ("ja", NotReceived) => "{inv}で請求されたサービスを受けていません。",
        ("ja", WrongPrice) => "単価が契約と異なります（割引が適用されていません）。",
        ("ja", LateFee) => "期限内に支払いました。延滞料は不当です。",
        ("ja", Other) => "請求書{inv}全体を確認してください。\nよろしくお願いします。",
        ("ar", Overcharged) => "الفاتورة {inv} أعلى من المتفق عليه، يرجى المراجعة.",
        ("ar", Duplicate) => "هذا البند مفوتر سابقاً وقد تم دفعه.",
        ("ar", NotReceived) => "لم نستلم الخدمة المفوترة في {inv}.",
        ("ar", WrongPrice) => "السعر لا يطابق العقد، والخصم مفقود.",
        ("ar", LateFee) => "دفعنا في الموعد، رسوم التأخير غير مستحقة.",
        ("ar", Other) => "يرجى مراجعة الفاتورة {inv} بالكامل.\nشكراً.",
        (_, Overcharged) => "Invoice {inv} charges more than we agreed, please check.",
        (_, Duplicate) => {
            "This was already billed on an earlier invoice, we paid it once, not \"twice\"."
        }
        (_, NotReceived) => "We did not receive what {inv} bills us for.",
        (_, WrongPrice) => "The price is not our contract price, and the discount is missing.",
        (_, LateFee) => "We paid on time, so the late fee on {inv} is wrong.",
        (_, Other) => "This whole invoice is a mess.\nPlease check every line of {inv}.",
    }
}
