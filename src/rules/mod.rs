//! Check-in counting, rule text, verdicts, anomalies and live progress (pure).
