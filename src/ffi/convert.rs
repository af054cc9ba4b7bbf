//! Property conversions in the shapes the API modules use: owned on the way in (the data
//! outlives the C call), infallible on the way out. The work is done in `properties`.

use std::ffi::c_int;

use crate::ffi::properties::{self, PropertyConversionError};
use crate::ffi::types::MQTTProperties;
use crate::protocol::Properties;

/// Read a C property list into ours (copying). `Err` carries the offending identifier, or
/// -1 for a malformed list.
///
/// # Safety
/// `p` is NULL or points to a valid `MQTTProperties` whose `array` holds `count` entries.
pub unsafe fn properties_from_c(p: *const MQTTProperties) -> Result<Properties<'static>, c_int> {
    // SAFETY: forwarded contract.
    match unsafe { properties::properties_from_c(p) } {
        Ok(props) => Ok(props.into_owned()),
        Err(PropertyConversionError::UnknownIdentifier(id)) => Err(id),
        Err(_) => Err(-1),
    }
}

/// Build a malloc'd C property list (free with `MQTTProperties_free`). Our own lists always
/// convert; should one not, the result is empty rather than an error in a callback.
pub fn properties_to_c(p: &Properties<'_>) -> MQTTProperties {
    properties::properties_to_c(p).unwrap_or(MQTTProperties::INITIALIZER)
}
