//! Loopback simulators of zsxq, WeCom and WeChat Pay, and the seeded community generator.

pub mod people;
