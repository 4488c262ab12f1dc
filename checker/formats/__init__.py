"""Report renderers: one module per output format, each a pure function of the report dict."""
