import { Option } from 'commander';
import { IamPolicyModes, type IamPolicyMode } from '../../core/iam-policy/iam-policy-table.js';
import { ExitCode } from '../exit-codes.js';
import type { RegisterCommand } from './index.js';

/**
 * `iam-policy [--mode read-only|sync|full]`: prints the least-privilege identity policy from the
 * feature table. Needs no config; `--instance-arn`, `--identity-store-id`, `--account` and
 * `--member-role` narrow the resources (else wildcards inside each ARN shape).
 */
export const registerIamPolicyCommand: RegisterCommand = (program, run) => {
  program
    .command('iam-policy')
    .description('Print the least-privilege IAM policy for the chosen features.')
    .addOption(
      new Option('--mode <mode>', 'features to grant').choices([...IamPolicyModes]).default('full'),
    )
    .option('--instance-arn <arn>', 'scope to this Identity Center instance')
    .option('--identity-store-id <id>', 'scope to this identity store')
    .option('--account <id>', 'the management account that holds the identity store')
    .option('--member-role <name>', 'the discovery role in member accounts')
    .action(
      (options: {
        mode: IamPolicyMode;
        instanceArn?: string;
        identityStoreId?: string;
        account?: string;
        memberRole?: string;
      }) =>
        run(async (context) => {
          const { generateIamPolicy } =
            await import('../../core/iam-policy/generate-iam-policy.js');
          const policy = generateIamPolicy({
            mode: options.mode,
            ...(options.instanceArn ? { instanceArn: options.instanceArn } : {}),
            ...(options.identityStoreId ? { identityStoreId: options.identityStoreId } : {}),
            ...(options.account ? { managementAccountId: options.account } : {}),
            ...(options.memberRole ? { memberRoleName: options.memberRole } : {}),
          });
          context.stdout.write(`${JSON.stringify(policy, null, 2)}\n`);
          return ExitCode.ok;
        }),
    );
};
