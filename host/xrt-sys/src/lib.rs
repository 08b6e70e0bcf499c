//! Raw XRT bindings (filled in by the XRT work).
