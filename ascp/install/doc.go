// Package install finds an ascp installation: the binary (an explicit path,
// the Transfer SDK folder, then IBM's install places per system), its
// version, the bypass keys an install ships, and the HTTP fallback
// certificate in the SDK folder.
package install
