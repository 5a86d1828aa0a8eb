// The deterministic demo world; built by `stockline demo`.
