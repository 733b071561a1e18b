import { MigrationInterface, QueryRunner } from 'typeorm';

export class CaOrders1795000080000 implements MigrationInterface {
  name = 'CaOrders1795000080000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`ca_orders\` (
                \`id\` int NOT NULL AUTO_INCREMENT,
                \`request_id\` int NOT NULL,
                \`foreign_order_number\` varchar(64) NOT NULL,
                \`state\` varchar(16) NOT NULL,
                \`attempts\` int NOT NULL DEFAULT '0',
                \`polls\` int NOT NULL DEFAULT '0',
                \`ca_order_number\` varchar(64) NULL,
                \`last_outcome\` text NULL,
                \`last_attempt_at\` datetime NULL,
                \`due_at\` datetime NOT NULL,
                \`poll_interval_seconds\` int NOT NULL DEFAULT '0',
                \`ordered_at\` datetime NULL,
                \`claimed_by\` varchar(64) NULL,
                \`claimed_until\` datetime NULL,
                \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
                \`version\` int NOT NULL,
                UNIQUE INDEX \`uq_ca_orders_request\` (\`request_id\`),
                INDEX \`ix_ca_orders_state_due\` (\`state\`, \`due_at\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            ALTER TABLE \`certificate_requests\`
            ADD \`replaces_certificate_id\` int NULL
        `);
    await queryRunner.query(`
            ALTER TABLE \`certificate_requests\`
            ADD \`replaces_how\` varchar(16) NULL
        `);
    await queryRunner.query(`
            CREATE INDEX \`ix_requests_status\` ON \`certificate_requests\` (\`status\`, \`id\`)
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX \`ix_requests_status\` ON \`certificate_requests\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`certificate_requests\` DROP COLUMN \`replaces_how\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`certificate_requests\` DROP COLUMN \`replaces_certificate_id\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_ca_orders_state_due\` ON \`ca_orders\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_ca_orders_request\` ON \`ca_orders\`
        `);
    await queryRunner.query(`
            DROP TABLE \`ca_orders\`
        `);
  }
}
