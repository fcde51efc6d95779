export {
  canCreateRoles,
  declaredTable,
  ensurePluginRoles,
  groupRoleSql,
  PLUGIN_GROUP_ROLE,
  PluginRoleMissingError,
  type PluginRolesReport,
  PRODUCT_READ_TABLES,
  pluginRoleName,
  pluginRolesSql,
  runbookRoleSql,
  withPluginRole,
} from './plugin-roles.ts';
export {
  PluginSqlRefusedError,
  refusedStatement,
  type StatementOwner,
  translatePluginSqlError,
} from './plugin-sql-errors.ts';
export { statementRefusal } from './statement-guard.ts';
