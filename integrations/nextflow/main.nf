// Download ENA/SRA runs over Aspera with asession, one run per task.
//
// The run's files and their MD5 come from ENA's file report (fastq_aspera,
// fastq_md5), turned by ena_report.awk into the spec's paths and an md5sum
// list: asession hashes each file as it arrives (--checksums), and a file
// that differs fails the task, as nf-core/fetchngs's md5sum -c would.
//
// asession runs with --retries 0 and Nextflow decides: exit codes 4 and 75
// (asession's exit-code table: the error is one a later attempt can fix)
// are retried with a growing pause, resuming the partial file; anything
// else (bad spec 2, no ascp 3, a failure retrying cannot fix 1: a checksum
// that differs among them) ends the pipeline. The summary line is kept as
// <run>.summary.json and the list as <run>.md5 next to the reads.
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
    val run
    path key

    output:
    tuple val(run), path("${run}*.fastq.gz"), path("${run}.md5"), path("${run}.summary.json")

    script:
    """
    curl -sSfG https://www.ebi.ac.uk/ena/portal/api/filereport \\
        -d accession=${run} -d result=read_run -d fields=fastq_aspera,fastq_md5 > ${run}.tsv
    awk -v want=md5 -f ${projectDir}/ena_report.awk ${run}.tsv > ${run}.md5
    awk -v want=paths -f ${projectDir}/ena_report.awk ${run}.tsv > paths.line
    sed -e '/"paths":/{r paths.line' -e 'd;}' \\
        -e 's|"asperaweb_id_dsa.openssh"|"${key}"|' \\
        ${projectDir}/ena_download.json > job.json
    asession --retries 0 --checksums ${run}.md5 --events progress --progress-interval 10s --summary-file ${run}.summary.json job.json
    """
}

workflow {
    ASPERA_FETCH(Channel.fromList(params.runs.tokenize(',')), file(params.key))
}
