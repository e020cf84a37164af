//! Identity matching: normalisation, signals, blocking, assignment, review cards (pure).

pub mod assign;
pub mod bind;
pub mod blocking;
pub mod camp;
pub mod compare;
pub mod decisions;
pub mod earlier;
pub mod elsewhere;
pub mod fxhash;
pub mod normalize;
pub mod outcome;
pub mod packed;
pub mod phonetic;
pub mod remark;
pub mod search;
pub mod signals;
pub mod synthetic;

pub use camp::{CampInput, MatchInput, Matcher, Policy, match_camp};
pub use earlier::{EarlierLink, EarlierLinks};
pub use outcome::{Link, LinkState, MatchOutcome, ReasonCode, ReviewCard};
