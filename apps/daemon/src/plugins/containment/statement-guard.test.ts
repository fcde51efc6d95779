import { describe, expect, it } from 'vitest';
import { statementRefusal } from './statement-guard.ts';

describe('statementRefusal', () => {
  it.each([
    'SELECT count(*) FROM public.findings WHERE tenant_id = $1',
    'UPDATE findings SET severity = lower(severity) WHERE id > $1',
    "SET LOCAL work_mem = '64MB'",
    'SET LOCAL enable_hashagg = off',
    "SELECT set_config('statement_timeout', $1, true)",
    `SELECT set_config($2, $1, true)`,
    `SELECT set_config('work_mem', CASE WHEN pg_size_bytes(current_setting('work_mem')) < pg_size_bytes($1)
             THEN $1 ELSE current_setting('work_mem') END, true)`,
    "SELECT 'RESET ROLE; BEGIN' AS harmless_text -- set role in a comment",
    'CREATE TABLE IF NOT EXISTS ops_x.archive (id bigint)',
    'SET CONSTRAINTS ALL DEFERRED',
  ])('lets a plugin run %s', (text) => {
    expect(statementRefusal(text, ['32MB', 'enable_hashagg'])).toBeNull();
  });

  it.each([
    ['RESET ROLE', /RESET is not allowed/],
    ['/* hidden */ reset role', /RESET is not allowed/],
    ['RESET ALL', /RESET is not allowed/],
    ['SET ROLE postgres', /SET is allowed only as SET LOCAL/],
    ['SET LOCAL ROLE postgres', /SET LOCAL role is not allowed/],
    ['SET SESSION AUTHORIZATION postgres', /SET is allowed only as SET LOCAL/],
    ['SET search_path = pg_temp, public', /SET is allowed only as SET LOCAL/],
    ['SET LOCAL search_path = pg_temp', /SET LOCAL search_path is not allowed/],
    ['SET TRANSACTION READ WRITE', /SET is allowed only as SET LOCAL/],
    ['COMMIT', /COMMIT is not allowed/],
    ['  -- comment\n  begin', /BEGIN is not allowed/],
    ['ROLLBACK', /ROLLBACK is not allowed/],
    ['SAVEPOINT x', /SAVEPOINT is not allowed/],
    ['DISCARD ALL', /DISCARD is not allowed/],
    ["SELECT set_config('role', 'postgres', true)", /set_config\(role\) is not allowed/],
    ["SELECT pg_catalog.set_config('session_authorization', 'postgres', false)", /not allowed/],
    ['SELECT "set_config"($1, $2, true)', /set_config\(role\) is not allowed/],
    ["SELECT set_config('work_mem', '1GB', false)", /must be transaction-local/],
    ["SELECT set_config(lower('ROLE'), 'postgres', true)", /named by a constant/],
    ["SELECT U&\"set\\005fconfig\"('role', 'postgres', true)", /Unicode-escaped/],
    ["SELECT query_to_xml('select 1', true, false, '')", /runs SQL given as text/],
    ["DO $$ BEGIN EXECUTE 'RESET ROLE'; END $$", /DO blocks are not allowed/],
    ['CREATE OR REPLACE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$', /CREATE FUNCTION/],
    ['CREATE ROLE evil SUPERUSER', /CREATE ROLE/],
    ['ALTER ROLE ops_rb_x SUPERUSER', /ALTER ROLE/],
    ['GRANT ops_plugin TO public', /GRANT is not allowed/],
    ["SELECT 'unterminated", /unterminated string/],
  ])('refuses %s', (text, rule) => {
    expect(statementRefusal(text, ['role', 'postgres'])).toMatch(rule);
  });
});
