// Package integrations holds the tests of the workflow-engine examples in
// its subfolders (Argo Workflows, Kubernetes, Airflow, Nextflow): they parse
// each example, check every exit code it names against asession's exit-code
// table, and run its command line against ascpsim where this machine can.
// The Temporal activity is package asessiontemporal, in the folder of its
// name (the Temporal SDK has a package temporal). The folder is its own
// module so that the main module does not carry the engines' dependencies.
package integrations
