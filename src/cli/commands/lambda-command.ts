import { ExitCode } from '../exit-codes.js';
import type { RegisterCommand } from './index.js';

/**
 * `lambda package [--out dir]`: writes the bundled handler (`index.mjs`), `function.zip` and the
 * CloudFormation template `template.json` into dir (default `./dist/lambda`), and prints sizes.
 */
export const registerLambdaCommand: RegisterCommand = (program, run) => {
  program
    .command('lambda')
    .description('Lambda packaging.')
    .command('package')
    .description('Bundle the Lambda handler and write a CloudFormation template.')
    .option('--out <dir>', 'output directory', 'dist/lambda')
    .action((options: { out: string }) =>
      run(async (context) => {
        const { packageLambda } = await import('../../lambda/package-lambda.js');
        const result = await packageLambda({ outDir: options.out });
        context.stdout.write(
          context.json
            ? `${JSON.stringify(result, null, 2)}\n`
            : [
                `bundle   ${result.bundlePath} (${result.bundleBytes} bytes)`,
                `zip      ${result.zipPath} (${result.zipBytes} bytes, budget ${result.zipBudgetBytes})`,
                `template ${result.templatePath}`,
                '',
              ].join('\n'),
        );
        return ExitCode.ok;
      }),
    );
};
