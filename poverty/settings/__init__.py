"""Settings modes: base (shared), local (the embedded default), production, test."""
