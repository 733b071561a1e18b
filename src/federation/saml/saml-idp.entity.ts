import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

// An identity provider taken from verified metadata (the federation feed or the one
// configured directly). Every instance reads the same rows; the feed refresh replaces them.
@Entity('saml_idps')
@Index('ix_saml_idps_name', ['name'])
export class SamlIdp {
  @PrimaryColumn({ name: 'entity_id', type: 'varchar', length: 512 })
  entityId: string;

  // 'feed' or 'config'.
  @Column({ type: 'varchar', length: 8 })
  source: 'feed' | 'config';

  // Display name for sorting (English, else the first given).
  @Column({ type: 'varchar', length: 255 })
  name: string;

  // JSON: { "<lang>": "<display name>" }.
  @Column({ type: 'text' })
  names: string;

  // Lower-cased names, entity id and scopes, for the discovery filter.
  @Column({ name: 'search_text', type: 'text' })
  searchText: string;

  // HTTP-Redirect binding of the SingleSignOnService.
  @Column({ name: 'sso_url', type: 'varchar', length: 1024 })
  ssoUrl: string;

  // JSON array of PEM signing certificates.
  @Column({ type: 'text' })
  certificates: string;

  // JSON array of shibmd:Scope values: { value, regexp }.
  @Column({ type: 'text' })
  scopes: string;

  @Column({ name: 'valid_until', type: 'datetime', nullable: true })
  validUntil: Date | null;
}
