package ascp

// IBMFields are the management-port field names IBM's own client knows
// (aspera-cli's management.rb, reference §2.1). A name outside the list is
// either new in some ascp or invented: the stand-in must never send one,
// and a command may carry any of them. Stalled (Yes/No) is from IBM's newer
// unit tests.
var IBMFields = []string{
	"Stalled",
	"Type", "File", "Size", "Written", "Bytescont", "Rate", "Loss", "Query",
	"Code", "Password", "Progress", "Remaining", "Elapsed", "RexInfo",
	"BlockInfo", "DiskInfo", "RateInfo", "MinRate", "Description",
	"Elapsedusec", "ServiceLevel", "SessionId", "User", "Host", "Encryption",
	"Adaptive", "Direction", "Remote", "Port", "UserStr", "CommandId",
	"StartByte", "EndByte", "Token", "Cookie", "QueryResponse", "Source",
	"Destination", "BWMeasurement", "BWInfo", "PMTU", "TransferBytes",
	"FileBytes", "Operation", "Delay", "PreTransferFiles", "PreTransferDirs",
	"PreTransferSpecial", "PreTransferFailed", "PartialPreTransferBytes",
	"PreTransferBytes", "Priority", "Transport", "VlinkID", "VlinkOn",
	"VlinkCapIn", "VlinkCapOut", "ManifestFile", "ArgScansAttempted",
	"ArgScansCompleted", "PathScansAttempted", "PathScansFailed",
	"PathScansIrregular", "PathScansExcluded", "DirScansCompleted",
	"FileScansCompleted", "DirCreatesAttempted", "DirCreatesFailed",
	"DirCreatesPassed", "TransfersAttempted", "TransfersFailed",
	"TransfersPassed", "TransfersSkipped", "FallbackProtocol", "RetryTimeout",
	"PreTransferExcluded", "XferId", "XferRetry", "Tags", "FaspFileArgIndex",
	"ArgTransfersStatus", "ArgTransfersAttempted", "ArgTransfersFailed",
	"ArgTransfersPassed", "ArgTransfersSkipped", "FaspFileID", "RateCap",
	"MinRateCap", "PolicyCap", "PriorityCap", "RateLock", "MinRateLock",
	"PolicyLock", "FileChecksum", "ServerHostname", "ServerNodeId",
	"ClientNodeId", "ServerClusterId", "ClientClusterId", "FileChecksumType",
	"ServerDocroot", "ClientDocroot", "NodeUser", "ClientUser", "SourcePrefix",
	"RemoteAddress", "TCPPort", "Cipher", "ResumePolicy", "CreatePolicy",
	"ManifestPolicy", "Precalc", "OverwritePolicy", "RTTAutocorrect",
	"TimePolicy", "ManifestPath", "ManifestInprogress", "PartialFiles",
	"FilesEncrypt", "FilesDecrypt", "DatagramSize", "PrepostCommand",
	"XoptFlags", "VLinkVersion", "PeerVLinkVersion", "VLinkLocalEnabled",
	"VLinkLocalId", "VLinkLocalCL", "VLinkRemoteEnabled", "VLinkRemoteId",
	"VLRemoteCL", "DSPipelineDepth", "PeerDSPipelineDepth", "LocalIP",
	"SourceBase", "ReadBlockSize", "WriteBlockSize", "ClusterNumNodes",
	"ClusterNodeId", "MoveRange", "MoveRangeLow", "MoveRangeHigh", "Keepalive",
	"TestLogin", "UseProxy", "ProxyIP", "RateControlAlgorithm",
	"ClientMacAddress", "Offset", "ChunkSize", "PostTransferValidation",
	"OverwritePolicyCap", "ExtraCreatePolicy",
}

// IsIBMField reports whether name is one of IBMFields.
func IsIBMField(name string) bool {
	for _, f := range IBMFields {
		if f == name {
			return true
		}
	}
	return false
}
