//! avatar
