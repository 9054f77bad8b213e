// Code generated from schema.Fields by "make generate"; DO NOT EDIT.

package transferspec

// Spec is a transfer spec in canonical (Node API) spelling. Unset fields
// are left out of its JSON. Set integers and booleans with Int and Bool.
type Spec struct {
	// direction: send uploads local sources to the remote host; receive downloads remote sources (send, receive)
	Direction string `json:"direction,omitempty"`
	// remote_host: transfer server host name or address
	RemoteHost string `json:"remote_host,omitempty"`
	// remote_user: transfer user on the server
	RemoteUser string `json:"remote_user,omitempty"`
	// ssh_port: TCP port of the server's SSH service (33001 on most Aspera servers)
	SSHPort *int64 `json:"ssh_port,omitempty"`
	// fasp_port: UDP port for FASP data
	FaspPort *int64 `json:"fasp_port,omitempty"`
	// wss_enabled: use the WebSocket transport: --ws-connect with -P wss_port and no -O
	WSSEnabled *bool `json:"wss_enabled,omitempty"`
	// wss_port: WebSocket port used when wss_enabled is true
	WSSPort *int64 `json:"wss_port,omitempty"`
	// paths: sources as [{"source": S}] or [{"source": S, "destination": D}]; required unless keepalive is true
	Paths []Path `json:"paths,omitempty"`
	// destination_root: destination folder; the last ascp argument, default /
	DestinationRoot string `json:"destination_root,omitempty"`
	// source_root: prefix added to every source path
	SourceRoot string `json:"source_root,omitempty"`
	// src_base: part of the source paths not recreated at the destination
	SrcBase string `json:"src_base,omitempty"`
	// src_base64: src_base, already base64-encoded
	SrcBase64 string `json:"src_base64,omitempty"`
	// create_dir: create the destination folder if it is missing
	CreateDir *bool `json:"create_dir,omitempty"`
	// remote_password: SSH password of the transfer user; a secret, never shown
	RemotePassword string `json:"remote_password,omitempty"`
	// ssh_private_key_passphrase: passphrase of the SSH private key; a secret, never shown
	SSHPrivateKeyPassphrase string `json:"ssh_private_key_passphrase,omitempty"`
	// token: authorization token (ATM..., Bearer ..., Basic ...); without a password or an inline key (key files do not count) the SSH bypass key of the ascp install is used; a secret, never shown
	Token string `json:"token,omitempty"`
	// cookie: application data reported on both ends of the transfer
	Cookie string `json:"cookie,omitempty"`
	// ssh_private_key: SSH private key, PEM text; a secret, never shown
	SSHPrivateKey string `json:"ssh_private_key,omitempty"`
	// ssh_private_key_path: SSH private key file
	SSHPrivateKeyPath string `json:"ssh_private_key_path,omitempty"`
	// EX_ssh_key_paths: SSH private key files, one -i each
	ExSSHKeyPaths []string `json:"EX_ssh_key_paths,omitempty"`
	// content_protection_password: passphrase for client-side encryption at rest; a secret, never shown
	ContentProtectionPassword string `json:"content_protection_password,omitempty"`
	// content_protection: encrypt uploaded files or decrypt downloaded ones (encrypt, decrypt)
	ContentProtection string `json:"content_protection,omitempty"`
	// sshfp: expected fingerprint of the server's SSH host key
	SSHFP string `json:"sshfp,omitempty"`
	// use_system_ssh: use the system's ssh client instead of ascp's own
	UseSystemSSH *bool `json:"use_system_ssh,omitempty"`
	// ssh_args: arguments for the system's ssh client, one --ssh-arg each
	SSHArgs []string `json:"ssh_args,omitempty"`
	// target_rate_kbps: target rate in kbit/s
	TargetRateKbps *int64 `json:"target_rate_kbps,omitempty"`
	// min_rate_kbps: minimum rate in kbit/s
	MinRateKbps *int64 `json:"min_rate_kbps,omitempty"`
	// rate_policy: bandwidth policy (low, fair, high, fixed)
	RatePolicy string `json:"rate_policy,omitempty"`
	// cipher: in-transit encryption (aes128, aes192, aes256: Connect's spelling) (none, aes-128, aes-192, aes-256, aes-128-cfb, aes-192-cfb, aes-256-cfb, aes-128-gcm, aes-192-gcm, aes-256-gcm, aes128, aes192, aes256)
	Cipher string `json:"cipher,omitempty"`
	// dgram_size: datagram size in bytes
	DgramSize *int64 `json:"dgram_size,omitempty"`
	// multi_session: number of parallel ascp sessions (0 or absent: one)
	MultiSession *int64 `json:"multi_session,omitempty"`
	// multi_session_threshold: files larger than this many bytes are split across sessions
	MultiSessionThreshold *int64 `json:"multi_session_threshold,omitempty"`
	// http_fallback: fall back to HTTP when UDP is blocked (force: HTTP only) (force)
	HTTPFallback any `json:"http_fallback,omitempty"`
	// http_fallback_port: HTTP fallback port
	HTTPFallbackPort *int64 `json:"http_fallback_port,omitempty"`
	// https_fallback_port: HTTPS fallback port
	HTTPSFallbackPort *int64 `json:"https_fallback_port,omitempty"`
	// proxy: high-speed proxy, dnat(s)://[user[:pass]@]host:port; the password travels in ASPERA_PROXY_PASS
	Proxy string `json:"proxy,omitempty"`
	// resume_policy: how a partial file is checked before it is resumed (none, attrs, sparse_csum, full_csum)
	ResumePolicy string `json:"resume_policy,omitempty"`
	// overwrite: when an existing destination file is replaced (never, always, diff, older, diff+older)
	Overwrite string `json:"overwrite,omitempty"`
	// symlink_policy: how symbolic links are handled (follow, copy, copy+force, skip)
	SymlinkPolicy string `json:"symlink_policy,omitempty"`
	// file_checksum: checksum reported for each file (sha-512, sha-384, sha-256, sha1, md5, none)
	FileChecksum string `json:"file_checksum,omitempty"`
	// tags: metadata for the server; tags.aspera gets xfer_id and xfer_retry when missing
	Tags map[string]any `json:"tags,omitempty"`
	// tags64: tags, already base64-encoded JSON
	Tags64 string `json:"tags64,omitempty"`
	// move_after_transfer: folder the sources are moved to once sent
	MoveAfterTransfer string `json:"move_after_transfer,omitempty"`
	// exclude_newer_than: skip files modified after this time (seconds)
	ExcludeNewerThan string `json:"exclude_newer_than,omitempty"`
	// exclude_older_than: skip files modified before this time (seconds)
	ExcludeOlderThan string `json:"exclude_older_than,omitempty"`
	// preserve_acls: how ACLs are preserved (none, native, metafile)
	PreserveACLs string `json:"preserve_acls,omitempty"`
	// preserve_remote_acls: how ACLs are preserved on the remote side (none, native, metafile)
	PreserveRemoteACLs string `json:"preserve_remote_acls,omitempty"`
	// preserve_extended_attrs: how extended attributes are preserved (none, native, metafile)
	PreserveExtendedAttrs string `json:"preserve_extended_attrs,omitempty"`
	// preserve_remote_extended_attrs: how extended attributes are preserved on the remote side (none, native, metafile)
	PreserveRemoteExtendedAttrs string `json:"preserve_remote_extended_attrs,omitempty"`
	// preserve_times: preserve file times
	PreserveTimes *bool `json:"preserve_times,omitempty"`
	// preserve_access_time: preserve access time
	PreserveAccessTime *bool `json:"preserve_access_time,omitempty"`
	// preserve_modification_time: preserve modification time
	PreserveModificationTime *bool `json:"preserve_modification_time,omitempty"`
	// preserve_creation_time: preserve creation time
	PreserveCreationTime *bool `json:"preserve_creation_time,omitempty"`
	// preserve_source_access_time: restore the source's access time after reading it
	PreserveSourceAccessTime *bool `json:"preserve_source_access_time,omitempty"`
	// preserve_file_owner_uid: preserve the owner's uid
	PreserveFileOwnerUID *bool `json:"preserve_file_owner_uid,omitempty"`
	// preserve_file_owner_gid: preserve the owner's gid
	PreserveFileOwnerGID *bool `json:"preserve_file_owner_gid,omitempty"`
	// delete_source: remove sources and their emptied folders once transferred
	DeleteSource *bool `json:"delete_source,omitempty"`
	// remove_after_transfer: remove each source file once transferred
	RemoveAfterTransfer *bool `json:"remove_after_transfer,omitempty"`
	// remove_empty_directories: remove source folders emptied by the transfer
	RemoveEmptyDirectories *bool `json:"remove_empty_directories,omitempty"`
	// remove_empty_source_directory: remove the source argument's folder when emptied
	RemoveEmptySourceDirectory *bool `json:"remove_empty_source_directory,omitempty"`
	// remove_skipped: remove skipped source files too
	RemoveSkipped *bool `json:"remove_skipped,omitempty"`
	// skip_special_files: skip devices, pipes and sockets
	SkipSpecialFiles *bool `json:"skip_special_files,omitempty"`
	// delete_before_transfer: delete destination files absent from the source first
	DeleteBeforeTransfer *bool `json:"delete_before_transfer,omitempty"`
	// apply_local_docroot: apply the local docroot to local paths
	ApplyLocalDocroot *bool `json:"apply_local_docroot,omitempty"`
	// save_before_overwrite: keep a copy of a file before it is overwritten
	SaveBeforeOverwrite *bool `json:"save_before_overwrite,omitempty"`
	// fail_bad_filepass: fail instead of skipping a file with a wrong encryption passphrase
	FailBadFilepass *bool `json:"fail_bad_filepass,omitempty"`
	// skip_duplicate_check: do not check for folders visited twice
	SkipDuplicateCheck *bool `json:"skip_duplicate_check,omitempty"`
	// precalculate_job_size: count the job's size before starting
	PrecalculateJobSize *bool `json:"precalculate_job_size,omitempty"`
	// keepalive: persistent session: files are added by START commands until DONE
	Keepalive *bool `json:"keepalive,omitempty"`
	// EX_http_proxy_url: HTTP proxy for HTTP fallback, http(s)://[user[:pass]@]host:port; the password travels in ASPERA_PROXY_PASS
	ExHTTPProxyURL string `json:"EX_http_proxy_url,omitempty"`
	// EX_ascp_args: extra ascp arguments, appended as they are
	ExAscpArgs []string `json:"EX_ascp_args,omitempty"`
	// EX_quiet: no progress output from ascp
	ExQuiet *bool `json:"EX_quiet,omitempty"`
	// EX_http_transfer_jpeg: HTTP fallback encodes data as JPEG (1) or not (0)
	ExHTTPTransferJPEG *int64 `json:"EX_http_transfer_jpeg,omitempty"`
	// EX_fallback_key: HTTPS fallback private key file
	ExFallbackKey string `json:"EX_fallback_key,omitempty"`
	// EX_fallback_cert: HTTPS fallback certificate file
	ExFallbackCert string `json:"EX_fallback_cert,omitempty"`
	// fasp_url: fasp:// or faspe:// link (Faspex); expands into host, user, ports, path and options, under explicit fields; a secret, never shown
	FaspURL string `json:"fasp_url,omitempty"`
	// authentication: how Connect authenticates (password or token) (no ascp option); accepted, but ascp has no option for it
	Authentication string `json:"authentication,omitempty"`
	// title: label shown by Connect (no ascp option); accepted, but ascp has no option for it
	Title string `json:"title,omitempty"`
	// lock_rate_policy: Connect: the user may not change the policy (no ascp option); accepted, but ascp has no option for it
	LockRatePolicy *bool `json:"lock_rate_policy,omitempty"`
	// lock_min_rate: Connect: the user may not change the minimum rate (no ascp option); accepted, but ascp has no option for it
	LockMinRate *bool `json:"lock_min_rate,omitempty"`
	// lock_target_rate: Connect: the user may not change the target rate (no ascp option); accepted, but ascp has no option for it
	LockTargetRate *bool `json:"lock_target_rate,omitempty"`
	// lock_min_rate_kbps: Connect: the user may not change the minimum rate (no ascp option); accepted, but ascp has no option for it
	LockMinRateKbps *bool `json:"lock_min_rate_kbps,omitempty"`
	// lock_target_rate_kbps: Connect: the user may not change the target rate (no ascp option); accepted, but ascp has no option for it
	LockTargetRateKbps *bool `json:"lock_target_rate_kbps,omitempty"`
	// target_rate_cap_kbps: server's cap on the target rate (no ascp option); accepted, but ascp has no option for it
	TargetRateCapKbps *int64 `json:"target_rate_cap_kbps,omitempty"`
	// min_rate_cap_kbps: server's cap on the minimum rate (no ascp option); accepted, but ascp has no option for it
	MinRateCapKbps *int64 `json:"min_rate_cap_kbps,omitempty"`
	// rate_policy_allowed: most aggressive policy the server allows (no ascp option); accepted, but ascp has no option for it
	RatePolicyAllowed string `json:"rate_policy_allowed,omitempty"`
	// cipher_allowed: ciphers the server allows (no ascp option); accepted, but ascp has no option for it
	CipherAllowed string `json:"cipher_allowed,omitempty"`
	// obfuscate_file_names: Node: hide file names in logs (no ascp option); accepted, but ascp has no option for it
	ObfuscateFileNames *bool `json:"obfuscate_file_names,omitempty"`
	// remote_access_key: Node access key (no ascp option); accepted, but ascp has no option for it
	RemoteAccessKey string `json:"remote_access_key,omitempty"`
	// destination_root_id: Node file id of the destination (no ascp option); accepted, but ascp has no option for it
	DestinationRootID string `json:"destination_root_id,omitempty"`
	// source_root_id: Node file id of the sources (no ascp option); accepted, but ascp has no option for it
	SourceRootID string `json:"source_root_id,omitempty"`
	// password: Connect: password for Connect's own authentication (no ascp option); a secret, never shown; accepted, but ascp has no option for it
	Password string `json:"password,omitempty"`
	// retry_duration: Connect: how long Connect retries, seconds or a duration such as "2m" (no ascp option); accepted, but ascp has no option for it
	RetryDuration any `json:"retry_duration,omitempty"`
	// xfer_max_retries: Connect: how often Connect retries (no ascp option); accepted, but ascp has no option for it
	XferMaxRetries *int64 `json:"xfer_max_retries,omitempty"`
	// icos: IBM Cloud Object Storage settings for the server (no ascp option); accepted, but ascp has no option for it
	ICOS map[string]any `json:"icos,omitempty"`
	// fasp_proxy: Connect's proxy settings (no ascp option); accepted, but ascp has no option for it
	FaspProxy map[string]any `json:"fasp_proxy,omitempty"`
	// target_rate_percentage: Connect: rate as a percentage (no ascp option); accepted, but ascp has no option for it
	TargetRatePercentage string `json:"target_rate_percentage,omitempty"`
	// compression: gateway compression (no ascp option); accepted, but ascp has no option for it
	Compression *int64 `json:"compression,omitempty"`
	// read_threads: ascp4 read threads (no ascp option); accepted, but ascp has no option for it
	ReadThreads *int64 `json:"read_threads,omitempty"`
	// write_threads: ascp4 write threads (no ascp option); accepted, but ascp has no option for it
	WriteThreads *int64 `json:"write_threads,omitempty"`
	// use_ascp4: run ascp4, found beside ascp, instead of ascp
	UseAscp4 *bool `json:"use_ascp4,omitempty"`
}
