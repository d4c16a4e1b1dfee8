#compdef enmigrate

__enmigrate_complete() {
    local -ar non_empty_completions=("${@:#(|:*)}")
    local -ar empty_completions=("${(M)@:#(|:*)}")
    _describe -V '' non_empty_completions -- empty_completions -P $'\'\''
}

__enmigrate_custom_complete() {
    local -a completions
    completions=("${(@f)"$("${command_name}" "${@}" "${command_line[@]}")"}")
    if [[ "${#completions[@]}" -gt 1 ]]; then
        __enmigrate_complete "${completions[@]:0:-1}"
    fi
}

__enmigrate_cursor_index_in_current_word() {
    if [[ -z "${QIPREFIX}${IPREFIX}${PREFIX}" ]]; then
        printf 0
    else
        printf %s "${#${(z)LBUFFER}[-1]}"
    fi
}

_enmigrate() {
    emulate -RL zsh -G
    setopt extendedglob nullglob numericglobsort
    unsetopt aliases banghist

    local -xr SAP_SHELL=zsh
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(builtin emulate zsh -c 'printf %s "${ZSH_VERSION}"')"
    local -r SAP_SHELL_VERSION

    local context state state_descr line
    local -A opt_args

    local -r command_name="${words[1]}"
    local -ar command_line=("${words[@]}")
    local -ir current_word_index="$((CURRENT - 1))"

    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'validate:Check a migration plan and its key files, offline.'
            'plan:Dry run: show what apply would do now, changing nothing.'
            'apply:Advance the migration as far as its checks and gates allow.'
            'resume:Continue a failed or interrupted run from the failed step.'
            'status:Show the run'\''s phase, timeline, checks, approvals and the next legal commands.'
            'verify:Prove coverage: every key phones get from the state'\''s feed is in the feed they will read (or now read).'
            'watch:Read the feed phones download, over its public URL, the way phones read it, and say what they get.'
            'graph:Print the migration'\''s phase machine (generated from the engine'\''s transition table, never drawn by hand).'
            'approve:Approve a gate (key-rotation, app-update, decommission) for the run waiting at it.'
            'abort:Stop the migration before the point of no return, or swap the client index back after it.'
            'adopt:Take up a changed plan mid-run when every change is safe, recorded in the journal.'
            'accept-loss:Accept, on the record, that what named state files hold will not reach phones.'
            'requeue:Try failed files again: second-feed files the importer refused, client files dual-export quarantined.'
            'unlock:Break the run lock (for a holder that is gone on another host).'
            'export:Inspect, verify and build Exposure Notification export files.'
            'serve-feed:Serve a folder of export feeds over HTTP on 127.0.0.1 (rehearsals, the demo).'
            'rehearse:Rehearse a plan end to end on a local simulation shaped like it, optionally with injected faults.'
            'help:Show subcommand help information.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        validate|plan|apply|resume|status|verify|watch|graph|approve|abort|adopt|accept-loss|requeue|unlock|export|serve-feed|rehearse|help)
            "_enmigrate_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_enmigrate_validate() {
    local -i ret=1
    local -ar arg_specs=(
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '--json[Print one JSON document\: {valid, planHash, diagnostics\[\]}.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_plan() {
    local -i ret=1
    local -ar arg_specs=(
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '--json[Print one JSON document.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_apply() {
    local -i ret=1
    local -ar ___until=('dual-export' 'importing' 'preparing-cut-over' 'key-rotation' 'mirroring' 'app-update' 'decommission' 'complete')
    local -ar arg_specs=(
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '--until[Stop on reaching this phase (dual-export, importing, preparing-cut-over, key-rotation, mirroring, app-update, decommission).]:until:{__enmigrate_complete "${___until[@]}"}'
        '--once[Advance as far as possible now, run steady-state workers once, and exit.]'
        '--json[Print events as JSON lines (schemas/event.schema.json, enmigrate.event/1).]'
        '--by[Who runs it, kept on every journal record it writes (default\: user@host).]:NAME:'
        '--note[Why (a change ticket, say), kept on every journal record it writes.]:TEXT:'
        '--scheduled[For a scheduler (cron, a systemd timer, a Kubernetes CronJob) running --once\: waiting at a gate, checks pending on work still to come and another process holding the run exit 0 (the last line says which); a failure still fails.]'
        '--metrics-address[Serve Prometheus metrics and health probes (/metrics, /healthz, /readyz) on HOST\:PORT while apply runs (default\: the plan'\''s monitoring.address).]:HOST\:PORT:'
        '--take-back-client-index[After the cut-over\: republish the client index although something else rewrote it (stop that writer first).]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_resume() {
    local -i ret=1
    local -ar arg_specs=(
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '--json[Print events as JSON lines (schemas/event.schema.json, enmigrate.event/1).]'
        '--by[Who runs it, kept on every journal record it writes (default\: user@host).]:NAME:'
        '--note[Why (a change ticket, say), kept on every journal record it writes.]:TEXT:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_status() {
    local -i ret=1
    local -ar arg_specs=(
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '--json[Print one JSON document.]'
        '--verify-journal[Also check the journal'\''s hash chain.]'
        '--html[Also write a single-file HTML page (phase diagram, timeline, checks, latency).]:FILE:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_verify() {
    local -i ret=1
    local -ar arg_specs=(
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '--json[Print one JSON document.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_watch() {
    local -i ret=1
    local -ar arg_specs=(
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '--json[Print one JSON document.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_graph() {
    local -i ret=1
    local -ar ___format=('mermaid' 'dot' 'table')
    local -ar arg_specs=(
        '--format[mermaid, dot, or table (each phase'\''s workers and checks).]:format:{__enmigrate_complete "${___format[@]}"}'
        '--json[Print the phase machine as data instead\: {schema\: enmigrate.graph/1, modes\: \[{mode, end, edges\: \[{from, to, gate}\]}\]}.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_approve() {
    local -i ret=1
    local -ar ___gate=('key-rotation' 'app-update' 'decommission')
    local -ar arg_specs=(
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '--gate[The gate\: key-rotation, app-update or decommission.]:gate:{__enmigrate_complete "${___gate[@]}"}'
        '--by[Who approves (recorded in the journal).]:by:'
        '--note[Why, or the reference of the confirmation (recorded in the journal).]:note:'
        '--json[Print events as JSON lines (schemas/event.schema.json, enmigrate.event/1).]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_abort() {
    local -i ret=1
    local -ar arg_specs=(
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '--restore-client-index[After cut-over\: serve the state'\''s own client index again.]'
        '--by[Who aborts, kept in the journal.]:NAME:'
        '--note[Why, kept in the journal.]:TEXT:'
        '--json[Print one JSON document\: {"outcome"\: "aborted" or "abort-pending", "message"}.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_adopt() {
    local -i ret=1
    local -ar arg_specs=(
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '--by[Who adopts it, kept in the journal.]:NAME:'
        '--note[Why (a change ticket, say), kept in the journal.]:TEXT:'
        '--json[Print one JSON document\: {outcome\: adopted or unchanged, planHash, from, changes\[\]}.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_accept-loss() {
    local -i ret=1
    local -ar arg_specs=(
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '*--file[A state client index entry whose loss is accepted (repeatable).]:file:'
        '--by[Who decides (recorded in the journal).]:by:'
        '--note[Why (recorded in the journal; required).]:note:'
        '--json[Print the recorded decision as JSON.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_requeue() {
    local -i ret=1
    local -ar arg_specs=(
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '*--file[A failed file to try again (repeatable).]:file:'
        '--all-failed[Try every failed file again.]'
        '--by[Who requeues (recorded in the journal).]:by:'
        '--note[Why (recorded in the journal).]:note:'
        '--json[Print what was requeued as JSON.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_unlock() {
    local -i ret=1
    local -ar arg_specs=(
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '--force[Required\: you confirm the holder is gone.]'
        '--by[Who breaks the lock, kept in the journal (default\: user@host).]:NAME:'
        '--note[Why (how you know the holder is gone), kept in the journal.]:TEXT:'
        '--json[Print one JSON document\: {"unlocked", "heldBy", "holderStillRuns"}.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_export() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'inspect:Show an export file'\''s header, keys, signatures and anomalies.'
            'verify:Verify an export file'\''s signature the way a phone does.'
            'build:Write signed export files and an index from a publish-format keys file.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        inspect|verify|build)
            "_enmigrate_export_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_enmigrate_export_inspect() {
    local -i ret=1
    local -ar arg_specs=(
        ':file:'
        '--signature[export.sig to use with a bare export.bin.]:signature:'
        '--json[Print one JSON document instead of text.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_export_verify() {
    local -i ret=1
    local -ar arg_specs=(
        ':file:'
        '--public-key[PEM public key (SubjectPublicKeyInfo).]:public-key:'
        '--key-id[verification_key_id the signature must carry.]:key-id:'
        '--key-version[verification_key_version the signature must carry.]:key-version:'
        '--signature[export.sig to use with a bare export.bin.]:signature:'
        '--json[Print one JSON document instead of text.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_export_build() {
    local -i ret=1
    local -ar arg_specs=(
        '--keys[Publish-format JSON with temporaryExposureKeys\[\].]:keys:'
        '--private-key[PEM private key (PKCS#8 or SEC1), mode 600.]:private-key:'
        '--key-id[verification_key_id, e.g. the MCC 310.]:key-id:'
        '--key-version[verification_key_version, e.g. v1.]:key-version:'
        '--region[Region written into the files.]:region:'
        '--root[Folder under OUT the files and index.txt go in (the feed'\''s root).]:root:'
        '--start[Batch start (unix seconds or RFC 3339).]:start:'
        '--end[Batch end (unix seconds or RFC 3339).]:end:'
        '--out[Output folder (the bucket / CDN root).]:out:'
        '--max-keys-per-file[Split the batch above this many keys per file.]:max-keys-per-file:'
        '--json[Print one JSON document instead of text.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_serve-feed() {
    local -i ret=1
    local -ar arg_specs=(
        ':folder:'
        '--port[The port (0\: any free port; the chosen one is printed).]:port:'
        '--json[Print one JSON line once the server listens\: {url, root}.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_rehearse() {
    local -i ret=1
    local -ar arg_specs=(
        ':plan:_files -g '\''*.yaml *.yml'\'''
        '--faults[Faults to inject\: kill\[=N\], restart\[=N\], downloads, tamper, late-approval, unavailable, refused-key, revocation, republished, all, none (comma-separated).]:faults:'
        '--folder[The rehearsal folder (default\: .enmigrate/rehearsal beside the plan); an earlier rehearsal there is replaced.]:folder:'
        '--days[Days of keys the simulated state publishes.]:days:'
        '--keys-per-day[Keys the simulated state publishes a day.]:keys-per-day:'
        '--seed[Seed for the keys and the faults'\'' files and moments (default\: random, printed).]:seed:'
        '--keep-buckets[Keep the plan'\''s s3\:// and gs\:// second and national feeds, on the loopback emulators its buckets\: names, instead of folders.]'
        '--journal[A PostgreSQL journal for the rehearsal (postgres\://…?schema=NEW) instead of the folder'\''s SQLite file.]:journal:'
        '--replicas[apply processes started together for every pass, racing for the journal'\''s lease as replicas do (needs a PostgreSQL --journal).]:replicas:'
        '--restart-command[The shell command that restarts the journal'\''s PostgreSQL server, for the restart fault.]:restart-command:'
        '--json[Print the rehearsal report as JSON (progress goes to stderr).]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_enmigrate_help() {
    local -i ret=1
    local -ar arg_specs=(
        '*:subcommands:'
        '--version[Show the version.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

if [[ "${funcstack[1]}" = _enmigrate ]]; then
    _enmigrate "${@}"
else
    compdef _enmigrate enmigrate
fi
