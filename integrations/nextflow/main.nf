// Download ENA/SRA runs over Aspera with asession, one run per task.
//
// asession runs with --retries 0 and Nextflow decides: exit codes 4 and 75
// (asession's exit-code table: the error is one a later attempt can fix)
// are retried with a growing pause, resuming the partial file; anything
// else (bad spec 2, no ascp 3, a failure retrying cannot fix 1) ends the
// pipeline. The summary line is kept as summary.json next to the reads.
//
//   nextflow run main.nf --runs ERR164407 --key ~/.aspera/connect/etc/asperaweb_id_dsa.openssh

params.runs = 'ERR164407'
params.key = "${System.getenv('HOME')}/.aspera/connect/etc/asperaweb_id_dsa.openssh"
params.outdir = 'reads'

process ASPERA_FETCH {
    tag "$run"
    publishDir params.outdir, mode: 'copy'
    maxRetries 6
    errorStrategy {
        if (task.exitStatus in [4, 75]) {
            sleep(Math.min(2000L << task.attempt, 300000L))
            return 'retry'
        }
        return 'terminate'
    }

    input:
    tuple val(run), val(path)
    path key

    output:
    tuple val(run), path("${run}*.fastq.gz"), path("${run}.summary.json")

    script:
    """
    sed -e 's|"/vol1/fastq/ERR164/ERR164407/ERR164407.fastq.gz"|"${path}"|' \\
        -e 's|"asperaweb_id_dsa.openssh"|"${key}"|' \\
        ${projectDir}/ena_download.json > job.json
    asession --retries 0 --events progress --progress-interval 10s --summary-file ${run}.summary.json job.json
    """
}

// ENA's layout: /vol1/fastq/<first 6 characters>/<run>/<run>.fastq.gz for
// runs of 6 digits; 7, 8 and 9 digits add a folder of the last digits,
// zero-padded to three (001, 012, 123). Single-end runs have one file;
// paired runs have _1 and _2: list both in the spec's paths.
def enaPath(String run) {
    def digits = run.replaceAll('[^0-9]', '')
    def sub = digits.length() > 6 ? '/' + digits[6..-1].padLeft(3, '0') : ''
    return "/vol1/fastq/${run.take(6)}${sub}/${run}/${run}.fastq.gz"
}

workflow {
    runs = Channel.fromList(params.runs.tokenize(',')).map { run -> tuple(run, enaPath(run)) }
    ASPERA_FETCH(runs, file(params.key))
}
