// Product codes and the CA's product ids are also checked where NRENs and organisations
// refer to products.
export const PRODUCT_ERROR_CODES = [
  'product_code_invalid',
  'product_id_invalid',
  'validity_term_invalid',
] as const;
