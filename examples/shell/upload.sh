#!/usr/bin/env bash
# Upload a file or folder with asession and report the outcome.
#
#   DEMO_PASSWORD=... bash upload.sh ASESSION SOURCE DESTINATION_ROOT
#
# ASESSION is the path of the asession binary, or just "asession" to use
# PATH. Progress goes to stderr, one result line to stdout; the exit status
# is 0 only when the transfer completed. Needs bash 4.2+ and jq 1.5+.
set -u
if (($# != 3)); then
  echo "usage: DEMO_PASSWORD=... bash upload.sh ASESSION SOURCE DESTINATION_ROOT" >&2
  exit 2
fi
asession=$1 source=$2 destination=$3
[[ -n ${DEMO_PASSWORD:-} ]] || { echo "DEMO_PASSWORD is not set" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is required" >&2; exit 2; }
# Checked here because in a pipeline a missing command is only exit 127.
command -v "$asession" >/dev/null || { echo "FAILED: cannot start $asession: not found"; exit 3; }

# jq reads the password from its environment (env.DEMO_PASSWORD), so it is
# never in any process's argv, which other local users can read.
spec_filter='{remote_host: "localhost", remote_user: "demo", remote_password: env.DEMO_PASSWORD,
  direction: "send", create_dir: true, paths: [{source: $src}], destination_root: $dest}'

# One jq for the whole stream turns each event into a tab-separated record
# for the loop below. A line that is not a JSON object with a type becomes
# an "invalid" record instead of stopping jq, so asession is always drained.
# Empty fields but the last become "-": read merges consecutive tabs. Byte
# counts are forced to integers, as bash arithmetic would evaluate any text.
event_filter='def int: if type == "number" then floor else 0 end;
  def row: (.[:-1] | map(if . == null or . == "" then "-" else tostring end)) + [.[-1] // "" | tostring] | @tsv;
  . as $line | (try fromjson catch null) as $e
  | if ($e | type) != "object" or ($e.type | type) != "string" then ["invalid", $line[0:200]] | row
    else $e | (
      if .type == "progress" then ["progress", (.bytes_written | int), (.bytes_expected | int), .current_file]
      elif .type == "NOTIFICATION" and .pre_transfer_bytes != null then ["expect", (.pre_transfer_bytes | int)]
      elif .type == "STATS" then ["stats", (.transfer_bytes | int), .file]
      elif .type == "error" then ["error", .code, .description]
      elif .type == "DONE" then ["done"]
      elif .type == "summary" then ["summary", .status, (.files.completed | int), (.files.skipped | int),
        (.bytes_written | int), .error.code, .error.description]
      else empty end | row)
    end'

tty=false; [[ -t 2 ]] && tty=true
last_key= printed=false
show() { # written expected name: in place on a terminal, else once per percent
  local key text
  (($1 == 0 && $2 == 0)) && return # nothing known yet
  if (($2 > 0)); then
    key=$(($1 * 100 / $2)); ((key > 100)) && key=100
    printf -v text 'progress %3d%%  %s/%s bytes  %s' "$key" "$1" "$2" "$3"
  else
    key=$1 text="progress $1 bytes  $3"
  fi
  [[ $key == "$last_key" ]] && return
  last_key=$key printed=true
  if $tty; then printf '%s\r' "$text" >&2; else printf '%s\n' "$text" >&2; fi
}

# Ctrl-C goes to the whole process group. asession cancels ascp and still
# writes its summary, so this shell and the jq reading the events ignore it
# and carry on; only asession gets back the default (trap - INT).
trap '' INT
# lastpipe runs the while loop in this shell, so the variables it sets
# survive the pipeline (scripts run without job control, which it needs).
shopt -s lastpipe
summary=() error_code=- error_text= saw_done=false bad=0 expected=0 seen_progress=false
jq -n --arg src "$source" --arg dest "$destination" "$spec_filter" |
  (trap - INT; exec "$asession") |
  jq -R --unbuffered -r "$event_filter" |
  while IFS=$'\t' read -r kind a b c d e f; do
    case $kind in
      progress) seen_progress=true; show "$a" "$b" "$c" ;;
      expect) expected=$a ;;
      # Raw STATS only until derived progress lines show up: those add up
      # every session and retry.
      stats) $seen_progress || show "$a" "$expected" "$b" ;;
      error) error_code=$a error_text=$b ;;
      done) saw_done=true ;;
      summary) summary=("$a" "$b" "$c" "$d" "$e" "$f") ;;
      invalid) bad=$((bad + 1)); echo "not a JSON event: $a" >&2 ;;
    esac
  done
status=("${PIPESTATUS[@]}")
code=${status[1]}
$printed && $tty && echo >&2

# A summary is authoritative; an asession without summary lines (or one
# that crashed) is trusted only with both DONE and a zero exit code.
ok=false
if ((${#summary[@]})); then
  [[ ${summary[0]} == completed && $code == 0 ]] && ok=true
  basis="summary: ${summary[0]}, exit $code"
  [[ -n ${summary[5]} ]] && error_code=${summary[4]} error_text=${summary[5]}
else
  [[ $saw_done == true && $code == 0 && -z $error_text ]] && ok=true
  basis="no summary; $($saw_done && echo 'DONE seen, ')exit $code"
fi
((bad)) && ok=false error_code=- error_text="$bad stdout line(s) were not JSON events"
((status[2] != 0)) && ok=false error_code=- error_text="jq failed reading the events (exit ${status[2]})"
if $ok; then
  if ((${#summary[@]})); then
    # Files already at the destination are skipped, and counted among the
    # completed ones, their bytes too: a run that skipped every file
    # uploaded nothing.
    skipped=${summary[2]} sent=$((summary[1] - summary[2]))
    if ((sent <= 0 && skipped > 0)); then
      did="nothing uploaded: all $skipped files already there"
    elif ((sent <= 0)); then
      did="nothing to upload"
    else
      did="$sent file$( ((sent == 1)) || echo s) uploaded"
      if ((skipped)); then did+=", $skipped already there; ${summary[3]} bytes in all"; else did+=", ${summary[3]} bytes"; fi
    fi
    echo "OK: $did [$basis]"
  else
    echo "OK: transfer done [$basis]"
  fi
  exit 0
fi
detail=; [[ $error_code != - && $error_code != 0 ]] && detail=" (code $error_code)"
echo "FAILED: ${error_text:-no error reported}$detail [$basis]"
((code != 0)) && exit "$code"
exit 1
