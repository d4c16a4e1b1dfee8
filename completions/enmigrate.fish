function __enmigrate_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __enmigrate_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __enmigrate_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __enmigrate_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __enmigrate_parse_tokens -S
    set -l unparsed_tokens (__enmigrate_tokens -pc)
    switch $unparsed_tokens[1]
    case 'enmigrate'
        __enmigrate_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'validate'
            __enmigrate_parse_subcommand 1 'json' 'version' 'h/help'
        case 'plan'
            __enmigrate_parse_subcommand 1 'json' 'version' 'h/help'
        case 'apply'
            __enmigrate_parse_subcommand 1 'until=' 'once' 'json' 'by=' 'note=' 'scheduled' 'metrics-address=' 'take-back-client-index' 'version' 'h/help'
        case 'resume'
            __enmigrate_parse_subcommand 1 'json' 'by=' 'note=' 'version' 'h/help'
        case 'status'
            __enmigrate_parse_subcommand 1 'json' 'verify-journal' 'html=' 'version' 'h/help'
        case 'verify'
            __enmigrate_parse_subcommand 1 'json' 'version' 'h/help'
        case 'watch'
            __enmigrate_parse_subcommand 1 'json' 'version' 'h/help'
        case 'graph'
            __enmigrate_parse_subcommand 0 'format=' 'json' 'version' 'h/help'
        case 'approve'
            __enmigrate_parse_subcommand 1 'gate=' 'by=' 'note=' 'json' 'version' 'h/help'
        case 'abort'
            __enmigrate_parse_subcommand 1 'restore-client-index' 'by=' 'note=' 'json' 'version' 'h/help'
        case 'adopt'
            __enmigrate_parse_subcommand 1 'by=' 'note=' 'json' 'version' 'h/help'
        case 'accept-loss'
            __enmigrate_parse_subcommand 1 'file=+' 'by=' 'note=' 'json' 'version' 'h/help'
        case 'requeue'
            __enmigrate_parse_subcommand 1 'file=+' 'all-failed' 'by=' 'note=' 'json' 'version' 'h/help'
        case 'unlock'
            __enmigrate_parse_subcommand 1 'force' 'by=' 'note=' 'json' 'version' 'h/help'
        case 'export'
            __enmigrate_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'inspect'
                __enmigrate_parse_subcommand 1 'signature=' 'json' 'version' 'h/help'
            case 'verify'
                __enmigrate_parse_subcommand 1 'public-key=' 'key-id=' 'key-version=' 'signature=' 'json' 'version' 'h/help'
            case 'build'
                __enmigrate_parse_subcommand 0 'keys=' 'private-key=' 'key-id=' 'key-version=' 'region=' 'root=' 'start=' 'end=' 'out=' 'max-keys-per-file=' 'json' 'version' 'h/help'
            end
        case 'serve-feed'
            __enmigrate_parse_subcommand 1 'port=' 'json' 'version' 'h/help'
        case 'rehearse'
            __enmigrate_parse_subcommand 1 'faults=' 'folder=' 'days=' 'keys-per-day=' 'seed=' 'keep-buckets' 'journal=' 'replicas=' 'restart-command=' 'json' 'version' 'h/help'
        case 'help'
            __enmigrate_parse_subcommand -r 1 'version'
        end
    end
end

function __enmigrate_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __enmigrate_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __enmigrate_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __enmigrate_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__enmigrate_tokens -p)
    if test -z "$(__enmigrate_tokens -t)"
        set -l index (count (__enmigrate_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'enmigrate' -f
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'validate' -d 'Check a migration plan and its key files, offline.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'plan' -d 'Dry run: show what apply would do now, changing nothing.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'apply' -d 'Advance the migration as far as its checks and gates allow.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'resume' -d 'Continue a failed or interrupted run from the failed step.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'status' -d 'Show the run\'s phase, timeline, checks, approvals and the next legal commands.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'verify' -d 'Prove coverage: every key phones get from the state\'s feed is in the feed they will read (or now read).'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'watch' -d 'Read the feed phones download, over its public URL, the way phones read it, and say what they get.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'graph' -d 'Print the migration\'s phase machine (generated from the engine\'s transition table, never drawn by hand).'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'approve' -d 'Approve a gate (key-rotation, app-update, decommission) for the run waiting at it.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'abort' -d 'Stop the migration before the point of no return, or swap the client index back after it.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'adopt' -d 'Take up a changed plan mid-run when every change is safe, recorded in the journal.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'accept-loss' -d 'Accept, on the record, that what named state files hold will not reach phones.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'requeue' -d 'Try failed files again: second-feed files the importer refused, client files dual-export quarantined.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'unlock' -d 'Break the run lock (for a holder that is gone on another host).'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'export' -d 'Inspect, verify and build Exposure Notification export files.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'serve-feed' -d 'Serve a folder of export feeds over HTTP on 127.0.0.1 (rehearsals, the demo).'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'rehearse' -d 'Rehearse a plan end to end on a local simulation shaped like it, optionally with injected faults.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate validate" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate validate" json' -l 'json' -d 'Print one JSON document: {valid, planHash, diagnostics[]}.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate validate" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate validate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate plan" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate plan" json' -l 'json' -d 'Print one JSON document.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate plan" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate plan" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate apply" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate apply" until' -l 'until' -d 'Stop on reaching this phase (dual-export, importing, preparing-cut-over, key-rotation, mirroring, app-update, decommission).' -rfka 'dual-export importing preparing-cut-over key-rotation mirroring app-update decommission complete'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate apply" once' -l 'once' -d 'Advance as far as possible now, run steady-state workers once, and exit.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate apply" json' -l 'json' -d 'Print events as JSON lines (schemas/event.schema.json, enmigrate.event/1).'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate apply" by' -l 'by' -d 'Who runs it, kept on every journal record it writes (default: user@host).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate apply" note' -l 'note' -d 'Why (a change ticket, say), kept on every journal record it writes.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate apply" scheduled' -l 'scheduled' -d 'For a scheduler (cron, a systemd timer, a Kubernetes CronJob) running --once: waiting at a gate, checks pending on work still to come and another process holding the run exit 0 (the last line says which); a failure still fails.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate apply" metrics-address' -l 'metrics-address' -d 'Serve Prometheus metrics and health probes (/metrics, /healthz, /readyz) on HOST:PORT while apply runs (default: the plan\'s monitoring.address).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate apply" take-back-client-index' -l 'take-back-client-index' -d 'After the cut-over: republish the client index although something else rewrote it (stop that writer first).'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate apply" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate apply" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate resume" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate resume" json' -l 'json' -d 'Print events as JSON lines (schemas/event.schema.json, enmigrate.event/1).'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate resume" by' -l 'by' -d 'Who runs it, kept on every journal record it writes (default: user@host).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate resume" note' -l 'note' -d 'Why (a change ticket, say), kept on every journal record it writes.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate resume" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate resume" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate status" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate status" json' -l 'json' -d 'Print one JSON document.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate status" verify-journal' -l 'verify-journal' -d 'Also check the journal\'s hash chain.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate status" html' -l 'html' -d 'Also write a single-file HTML page (phase diagram, timeline, checks, latency).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate status" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate verify" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate verify" json' -l 'json' -d 'Print one JSON document.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate verify" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate watch" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate watch" json' -l 'json' -d 'Print one JSON document.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate watch" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate watch" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate graph" format' -l 'format' -d 'mermaid, dot, or table (each phase\'s workers and checks).' -rfka 'mermaid dot table'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate graph" json' -l 'json' -d 'Print the phase machine as data instead: {schema: enmigrate.graph/1, modes: [{mode, end, edges: [{from, to, gate}]}]}.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate graph" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate graph" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate approve" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate approve" gate' -l 'gate' -d 'The gate: key-rotation, app-update or decommission.' -rfka 'key-rotation app-update decommission'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate approve" by' -l 'by' -d 'Who approves (recorded in the journal).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate approve" note' -l 'note' -d 'Why, or the reference of the confirmation (recorded in the journal).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate approve" json' -l 'json' -d 'Print events as JSON lines (schemas/event.schema.json, enmigrate.event/1).'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate approve" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate approve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate abort" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate abort" restore-client-index' -l 'restore-client-index' -d 'After cut-over: serve the state\'s own client index again.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate abort" by' -l 'by' -d 'Who aborts, kept in the journal.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate abort" note' -l 'note' -d 'Why, kept in the journal.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate abort" json' -l 'json' -d 'Print one JSON document: {"outcome": "aborted" or "abort-pending", "message"}.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate abort" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate abort" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate adopt" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate adopt" by' -l 'by' -d 'Who adopts it, kept in the journal.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate adopt" note' -l 'note' -d 'Why (a change ticket, say), kept in the journal.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate adopt" json' -l 'json' -d 'Print one JSON document: {outcome: adopted or unchanged, planHash, from, changes[]}.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate adopt" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate adopt" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate accept-loss" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate accept-loss"' -l 'file' -d 'A state client index entry whose loss is accepted (repeatable).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate accept-loss" by' -l 'by' -d 'Who decides (recorded in the journal).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate accept-loss" note' -l 'note' -d 'Why (recorded in the journal; required).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate accept-loss" json' -l 'json' -d 'Print the recorded decision as JSON.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate accept-loss" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate accept-loss" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate requeue" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate requeue"' -l 'file' -d 'A failed file to try again (repeatable).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate requeue" all-failed' -l 'all-failed' -d 'Try every failed file again.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate requeue" by' -l 'by' -d 'Who requeues (recorded in the journal).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate requeue" note' -l 'note' -d 'Why (recorded in the journal).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate requeue" json' -l 'json' -d 'Print what was requeued as JSON.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate requeue" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate requeue" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate unlock" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate unlock" force' -l 'force' -d 'Required: you confirm the holder is gone.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate unlock" by' -l 'by' -d 'Who breaks the lock, kept in the journal (default: user@host).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate unlock" note' -l 'note' -d 'Why (how you know the holder is gone), kept in the journal.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate unlock" json' -l 'json' -d 'Print one JSON document: {"unlocked", "heldBy", "holderStillRuns"}.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate unlock" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate unlock" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate export" -eq 1' -fa 'inspect' -d 'Show an export file\'s header, keys, signatures and anomalies.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate export" -eq 1' -fa 'verify' -d 'Verify an export file\'s signature the way a phone does.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate export" -eq 1' -fa 'build' -d 'Write signed export files and an index from a publish-format keys file.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export inspect" signature' -l 'signature' -d 'export.sig to use with a bare export.bin.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export inspect" json' -l 'json' -d 'Print one JSON document instead of text.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export inspect" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export inspect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export verify" public-key' -l 'public-key' -d 'PEM public key (SubjectPublicKeyInfo).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export verify" key-id' -l 'key-id' -d 'verification_key_id the signature must carry.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export verify" key-version' -l 'key-version' -d 'verification_key_version the signature must carry.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export verify" signature' -l 'signature' -d 'export.sig to use with a bare export.bin.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export verify" json' -l 'json' -d 'Print one JSON document instead of text.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export verify" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export build" keys' -l 'keys' -d 'Publish-format JSON with temporaryExposureKeys[].' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export build" private-key' -l 'private-key' -d 'PEM private key (PKCS#8 or SEC1), mode 600.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export build" key-id' -l 'key-id' -d 'verification_key_id, e.g. the MCC 310.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export build" key-version' -l 'key-version' -d 'verification_key_version, e.g. v1.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export build" region' -l 'region' -d 'Region written into the files.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export build" root' -l 'root' -d 'Folder under OUT the files and index.txt go in (the feed\'s root).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export build" start' -l 'start' -d 'Batch start (unix seconds or RFC 3339).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export build" end' -l 'end' -d 'Batch end (unix seconds or RFC 3339).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export build" out' -l 'out' -d 'Output folder (the bucket / CDN root).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export build" max-keys-per-file' -l 'max-keys-per-file' -d 'Split the batch above this many keys per file.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export build" json' -l 'json' -d 'Print one JSON document instead of text.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export build" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate export build" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate serve-feed" port' -l 'port' -d 'The port (0: any free port; the chosen one is printed).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate serve-feed" json' -l 'json' -d 'Print one JSON line once the server listens: {url, root}.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate serve-feed" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate serve-feed" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_positional "enmigrate rehearse" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate rehearse" faults' -l 'faults' -d 'Faults to inject: kill[=N], restart[=N], downloads, tamper, late-approval, unavailable, refused-key, revocation, republished, all, none (comma-separated).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate rehearse" folder' -l 'folder' -d 'The rehearsal folder (default: .enmigrate/rehearsal beside the plan); an earlier rehearsal there is replaced.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate rehearse" days' -l 'days' -d 'Days of keys the simulated state publishes.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate rehearse" keys-per-day' -l 'keys-per-day' -d 'Keys the simulated state publishes a day.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate rehearse" seed' -l 'seed' -d 'Seed for the keys and the faults\' files and moments (default: random, printed).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate rehearse" keep-buckets' -l 'keep-buckets' -d 'Keep the plan\'s s3:// and gs:// second and national feeds, on the loopback emulators its buckets: names, instead of folders.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate rehearse" journal' -l 'journal' -d 'A PostgreSQL journal for the rehearsal (postgres://…?schema=NEW) instead of the folder\'s SQLite file.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate rehearse" replicas' -l 'replicas' -d 'apply processes started together for every pass, racing for the journal\'s lease as replicas do (needs a PostgreSQL --journal).' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate rehearse" restart-command' -l 'restart-command' -d 'The shell command that restarts the journal\'s PostgreSQL server, for the restart fault.' -rfka ''
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate rehearse" json' -l 'json' -d 'Print the rehearsal report as JSON (progress goes to stderr).'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate rehearse" version' -l 'version' -d 'Show the version.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate rehearse" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'enmigrate' -n '__enmigrate_should_offer_completions_for_flags_or_options "enmigrate help" version' -l 'version' -d 'Show the version.'
