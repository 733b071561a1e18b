import { MigrationInterface, QueryRunner } from 'typeorm';

export class DomainLocks1795000030000 implements MigrationInterface {
  name = 'DomainLocks1795000030000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "domain_locks" ("name" varchar(253) PRIMARY KEY NOT NULL)
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP TABLE "domain_locks"
        `);
  }
}
