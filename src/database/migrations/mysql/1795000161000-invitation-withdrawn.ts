import { MigrationInterface, QueryRunner } from 'typeorm';

// A withdrawn invitation is kept (its link then says it was withdrawn) rather than deleted.
export class InvitationWithdrawn1795000161000 implements MigrationInterface {
  name = 'InvitationWithdrawn1795000161000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `invitations` ADD `withdrawn_at` datetime NULL');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DELETE FROM `invitations` WHERE `withdrawn_at` IS NOT NULL');
    await queryRunner.query('ALTER TABLE `invitations` DROP COLUMN `withdrawn_at`');
  }
}
