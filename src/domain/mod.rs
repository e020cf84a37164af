//! Pure types shared by every layer: money, days, ids, records, refund states.
//! No I/O here.

pub mod ids;
pub mod money;
pub mod records;
pub mod refund_state;
pub mod time;

pub use ids::*;
pub use money::{Money, MoneyError};
pub use records::*;
pub use refund_state::{RefundState, RefundVia};
pub use time::{Day, DayCutoff, DayRule};
