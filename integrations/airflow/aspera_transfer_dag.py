"""Airflow DAG: one Aspera transfer per task, with asession.

The job downloads an ENA run; the checksums task turns ENA's file report
into the md5 list that asession --checksums checks each read against as it
arrives (a read that differs fails the transfer, not retried).

Two ways to run the step:

- transfer (TaskFlow): retries only failures that may succeed later
  (asession exit codes 4 and 75) and fails at once otherwise (wrong
  password, bad spec); the summary is the task's XCom return value on
  success and the XCom key "summary" on failure.
- transfer_bash (BashOperator): the simplest form; the last line of the
  output, asession's summary, is pushed as XCom. BashOperator retries every
  failure, so asession does the retrying itself (--retries 3).

The password reaches ascp through its own environment variable
(ASPERA_SCP_PASS), never the command line: from an Airflow connection for
the TaskFlow task, from the worker's environment (a Secret) for the bash one.
"""

import os
import urllib.request
from datetime import datetime, timedelta

from airflow.decorators import dag, task
from airflow.exceptions import AirflowException, AirflowFailException
from airflow.hooks.base import BaseHook
from airflow.operators.bash import BashOperator
from airflow.operators.python import get_current_context

from asession_step import TransferFailed, ena_md5_list, run_transfer

RUN = "ERR164407"
JOB = "/opt/airflow/jobs/ERR164407.json"  # a transfer spec without secrets
ENA_REPORT = ("https://www.ebi.ac.uk/ena/portal/api/filereport?accession=%s"
              "&result=read_run&fields=fastq_aspera,fastq_md5")


@dag(start_date=datetime(2025, 1, 1), schedule=None, catchup=False, tags=["aspera"])
def aspera_transfer():
    @task(retries=3, retry_delay=timedelta(seconds=30))
    def checksums(run: str) -> str:
        with urllib.request.urlopen(ENA_REPORT % run, timeout=60) as response:
            report = response.read().decode()
        path = "/opt/airflow/jobs/%s.md5" % run
        with open(path, "w") as f:
            f.write(ena_md5_list(report))
        return path

    @task(retries=6, retry_delay=timedelta(seconds=2), retry_exponential_backoff=True,
          max_retry_delay=timedelta(minutes=5))
    def transfer(job_path: str, md5_path: str) -> dict:
        env = dict(os.environ, ASPERA_SCP_PASS=BaseHook.get_connection("aspera").password)
        try:
            return run_transfer(job_path, extra_args=("--checksums", md5_path), env=env)
        except TransferFailed as e:
            get_current_context()["ti"].xcom_push(key="summary", value=e.summary)
            if e.retry_may_help:
                raise AirflowException(str(e)) from e
            raise AirflowFailException(str(e)) from e

    md5_path = checksums(RUN)
    transfer(JOB, md5_path)

    md5_path >> BashOperator(
        task_id="transfer_bash",
        bash_command="asession --retries 3 --checksums {{ ti.xcom_pull(task_ids='checksums') }} --events progress --progress-interval 10s " + JOB,
        do_xcom_push=True,
    )


aspera_transfer()
