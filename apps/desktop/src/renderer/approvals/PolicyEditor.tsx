import { Button, Field, Input, makeStyles, Select, Text, tokens } from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../api/trpc.ts';
import { ErrorState } from '../components/states.tsx';
import type { ApprovalMode, ApprovalPolicy } from './approval-types.ts';
import { APPROVAL_MODE_OPTIONS, approvalModeLabel } from './approval-words.ts';

const useStyles = makeStyles({
  row: { display: 'flex', gap: '12px', alignItems: 'end', flexWrap: 'wrap' },
  source: { color: tokens.colorNeutralForeground3 },
});

const SOURCE_WORDS: Record<ApprovalPolicy['source'], string> = {
  runbook: 'its own policy',
  every_runbook: 'the policy of every runbook',
  default: 'the default',
};

/** One runbook's approval policy; editable by a holder of platform.runbooks.approve (audited). */
export function PolicyEditor({
  policy,
  title,
  canEdit,
}: {
  policy: ApprovalPolicy;
  title: string;
  canEdit: boolean;
}) {
  const s = useStyles();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<ApprovalMode>(policy.mode);
  const [exempt, setExempt] = useState(policy.exemptIdentities.join(', '));
  const save = useMutation(
    trpc.approvals.setPolicy.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.approvals.policies.queryKey() }),
    }),
  );
  const identities = exempt
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const changed = mode !== policy.mode || identities.join(',') !== policy.exemptIdentities.join(',');
  return (
    <section aria-label={`Approval policy of ${title}`}>
      <Text weight="semibold">{title}</Text>{' '}
      <Text size={200} className={s.source}>
        ({approvalModeLabel(policy.mode)}; {SOURCE_WORDS[policy.source]}
        {policy.updatedBy ? `, changed by ${policy.updatedBy}` : ''})
      </Text>
      {canEdit && (
        <div className={s.row}>
          <Field label="Approval">
            <Select value={mode} onChange={(_, d) => setMode(d.value as ApprovalMode)}>
              {APPROVAL_MODE_OPTIONS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </Select>
          </Field>
          <Field
            label="Exempt deploy identities"
            hint="OPS_DEPLOY_IDENTITY of pipelines whose exec may start without a request, comma separated"
          >
            <Input value={exempt} onChange={(_, d) => setExempt(d.value)} />
          </Field>
          <Button
            appearance="primary"
            disabled={!changed || save.isPending}
            onClick={() => save.mutate({ runbookId: policy.runbookId, mode, exemptIdentities: identities })}
          >
            Save policy
          </Button>
        </div>
      )}
      {save.error && <ErrorState error={save.error} />}
    </section>
  );
}
