// Reader frame script placeholder: replaced by the reader implementation.
export {};
