import { MigrationInterface, QueryRunner } from 'typeorm';

export class SecondFactor1795000120000 implements MigrationInterface {
  name = 'SecondFactor1795000120000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE `second_factors` (`user_id` int NOT NULL, `secret_sealed` varchar(255) NOT NULL, `confirmed_at` datetime NULL, `last_used_step` int NULL, `created_at` datetime NOT NULL, PRIMARY KEY (`user_id`)) ENGINE=InnoDB',
    );
    await queryRunner.query(
      'CREATE TABLE `recovery_codes` (`id` int NOT NULL AUTO_INCREMENT, `user_id` int NOT NULL, `code_hash` varchar(64) NOT NULL, `used_at` datetime NULL, UNIQUE INDEX `uq_recovery_codes` (`user_id`, `code_hash`), PRIMARY KEY (`id`)) ENGINE=InnoDB',
    );
    await queryRunner.query(
      'CREATE TABLE `notification_opt_outs` (`user_id` int NOT NULL, `kind` varchar(40) NOT NULL, `created_at` datetime NOT NULL, PRIMARY KEY (`user_id`, `kind`)) ENGINE=InnoDB',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE `notification_opt_outs`');
    await queryRunner.query('DROP TABLE `recovery_codes`');
    await queryRunner.query('DROP TABLE `second_factors`');
  }
}
