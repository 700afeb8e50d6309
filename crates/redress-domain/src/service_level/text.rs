//! The `name=value; name=value` form shared by calendars and policies.

/// Why a text is not a list of `name=value` parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum PartsError {
    /// A part without `=`.
    NotNameValue(String),
    /// A name not among those allowed.
    Unknown(String),
    /// A name given twice.
    Repeated(&'static str),
}

/// The value of each of `names` in `text` (`None` where absent), in the order of `names`.
///
/// Parts are separated by `;`; spaces around names, values and separators are ignored, and so
/// are empty parts (a trailing `;`).
pub(super) fn parts<'t, const N: usize>(
    text: &'t str,
    names: [&'static str; N],
) -> Result<[Option<&'t str>; N], PartsError> {
    let mut values = [None; N];
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = part
            .split_once('=')
            .ok_or_else(|| PartsError::NotNameValue(part.to_owned()))?;
        let name = name.trim();
        let index = names
            .iter()
            .position(|n| *n == name)
            .ok_or_else(|| PartsError::Unknown(name.to_owned()))?;
        if values[index].is_some() {
            return Err(PartsError::Repeated(names[index]));
        }
        values[index] = Some(value.trim());
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_found_by_name_in_any_order() {
        assert_eq!(
            parts(" b = 2 ;a=1;", ["a", "b", "c"]),
            Ok([Some("1"), Some("2"), None])
        );
        assert_eq!(parts("", ["a"]), Ok([None]));
    }

    #[test]
    fn unknown_repeated_and_nameless_parts_are_refused() {
        assert_eq!(
            parts("a=1; d=4", ["a", "b"]),
            Err(PartsError::Unknown("d".into()))
        );
        assert_eq!(
            parts("a=1; a=2", ["a", "b"]),
            Err(PartsError::Repeated("a"))
        );
        assert_eq!(
            parts("a=1; b", ["a", "b"]),
            Err(PartsError::NotNameValue("b".into()))
        );
    }
}
