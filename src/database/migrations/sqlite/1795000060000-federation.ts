import { MigrationInterface, QueryRunner } from 'typeorm';

export class Federation1795000060000 implements MigrationInterface {
  name = 'Federation1795000060000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "federated_identities" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "user_id" integer NOT NULL,
                "protocol" varchar(8) NOT NULL,
                "subject" varchar(512) NOT NULL,
                "provider" varchar(512) NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "last_login_at" datetime,
                "entitled_grants" text,
                CONSTRAINT "FK_e69265633ea3123bf964db2551c" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
            )
        `);
    await queryRunner.query(
      `CREATE INDEX "ix_federated_identities_user" ON "federated_identities" ("user_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_federated_identities" ON "federated_identities" ("protocol", "subject") `,
    );
    await queryRunner.query(`
            CREATE TABLE "federation_logins" (
                "id" varchar(64) PRIMARY KEY NOT NULL,
                "protocol" varchar(8) NOT NULL,
                "provider" varchar(512) NOT NULL,
                "intent" varchar(16) NOT NULL,
                "intent_ref" integer,
                "next_path" varchar(2048) NOT NULL DEFAULT ('/'),
                "browser_hash" varchar(64) NOT NULL,
                "pkce_verifier" varchar(128),
                "nonce" varchar(64),
                "expires_at" datetime NOT NULL,
                "answered_at" datetime,
                "identity" text,
                "completed_at" datetime,
                "created_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
    await queryRunner.query(
      `CREATE INDEX "ix_federation_logins_expires" ON "federation_logins" ("expires_at") `,
    );
    await queryRunner.query(`
            CREATE TABLE "nren_login_policies" (
                "nren_id" integer PRIMARY KEY NOT NULL,
                "federated_only" boolean NOT NULL DEFAULT (0),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "federation_feeds" (
                "id" varchar(32) PRIMARY KEY NOT NULL,
                "claimed_by" varchar(64),
                "claimed_until" datetime,
                "refreshed_at" datetime,
                "valid_until" datetime,
                "idp_count" integer NOT NULL DEFAULT (0),
                "last_error" varchar(500)
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "saml_idps" (
                "entity_id" varchar(512) PRIMARY KEY NOT NULL,
                "source" varchar(8) NOT NULL,
                "name" varchar(255) NOT NULL,
                "names" text NOT NULL,
                "search_text" text NOT NULL,
                "sso_url" varchar(1024) NOT NULL,
                "certificates" text NOT NULL,
                "scopes" text NOT NULL,
                "valid_until" datetime
            )
        `);
    await queryRunner.query(`CREATE INDEX "ix_saml_idps_name" ON "saml_idps" ("name") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_saml_idps_name"`);
    await queryRunner.query(`DROP TABLE "saml_idps"`);
    await queryRunner.query(`DROP TABLE "federation_feeds"`);
    await queryRunner.query(`DROP TABLE "nren_login_policies"`);
    await queryRunner.query(`DROP INDEX "ix_federation_logins_expires"`);
    await queryRunner.query(`DROP TABLE "federation_logins"`);
    await queryRunner.query(`DROP INDEX "uq_federated_identities"`);
    await queryRunner.query(`DROP INDEX "ix_federated_identities_user"`);
    await queryRunner.query(`DROP TABLE "federated_identities"`);
  }
}
