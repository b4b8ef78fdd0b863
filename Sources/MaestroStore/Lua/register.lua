-- The library's public functions. Read-only ones carry `no-writes` (FCALL_RO, replicas).

local function version() return LIBRARY_VERSION end

redis.register_function { function_name = 'maestro_version', callback = version, flags = { 'no-writes' } }
redis.register_function('maestro_create_task', create_task)
redis.register_function('maestro_update_task', update_task)
redis.register_function('maestro_delete_task', delete_task)
redis.register_function('maestro_remove_session', remove_session)
redis.register_function('maestro_queue_tasks', queue_tasks)
redis.register_function('maestro_update_progress', update_progress)
redis.register_function('maestro_answer_input', answer_input)
redis.register_function('maestro_spawn_session', spawn_session)
redis.register_function('maestro_set_lifecycle', set_lifecycle)
redis.register_function('maestro_claim_session', claim_session)
redis.register_function('maestro_heartbeat', heartbeat)
redis.register_function('maestro_report_lifecycle', report_lifecycle)
redis.register_function('maestro_release_session', release_session)
redis.register_function('maestro_sweep_leases', sweep_leases)
redis.register_function('maestro_import_task', import_task)
redis.register_function('maestro_import_session', import_session)
redis.register_function('maestro_import_project', import_project)
redis.register_function { function_name = 'maestro_get_task', callback = get_task, flags = { 'no-writes' } }
redis.register_function { function_name = 'maestro_task_history', callback = task_history, flags = { 'no-writes' } }
redis.register_function { function_name = 'maestro_list_tasks', callback = list_tasks, flags = { 'no-writes' } }
redis.register_function { function_name = 'maestro_get_session', callback = get_session, flags = { 'no-writes' } }
redis.register_function { function_name = 'maestro_list_sessions', callback = list_sessions, flags = { 'no-writes' } }
redis.register_function { function_name = 'maestro_check_session', callback = check_session, flags = { 'no-writes' } }
redis.register_function { function_name = 'maestro_get_project', callback = get_project, flags = { 'no-writes' } }
redis.register_function { function_name = 'maestro_export_tasks', callback = export_tasks, flags = { 'no-writes' } }
redis.register_function {
    function_name = 'maestro_export_sessions', callback = export_sessions, flags = { 'no-writes' },
}
