package mgmt

// Kind is how a field's value is written in JSON.
type Kind uint8

const (
	// Text values are written as JSON strings, as they are.
	Text Kind = iota
	// Integer values are JSON numbers when they are integers (an optional
	// minus and up to 18 digits), strings otherwise (`Rate: 50%`).
	Integer
	// YesNo values are JSON booleans when they are Yes or No, strings
	// otherwise.
	YesNo
)

// String names the kind as the README and the JSON Schema do.
func (k Kind) String() string {
	switch k {
	case Integer:
		return "integer"
	case YesNo:
		return "Yes/No boolean"
	}
	return "string"
}

// Provenance says whose a fact of the table is: which of IBM's sources
// documents it, or that it is asession's own choice.
type Provenance uint8

const (
	// IBM: IBM's released client (aspera-cli lib/aspera/ascp/management.rb)
	// and its newest parser alike.
	IBM Provenance = iota + 1
	// IBMReleased: IBM's released client only; its newest parser dropped it.
	IBMReleased
	// IBMNewest: IBM's newest parser only (its unit test
	// spec/ascp_management_spec.rb, later than the release).
	IBMNewest
	// Ours: asession's own choice, documented in the README.
	Ours
)

func (o Provenance) String() string {
	switch o {
	case IBM:
		return "IBM"
	case IBMReleased:
		return "IBM's released client"
	case IBMNewest:
		return "IBM's newest parser"
	case Ours:
		return "asession"
	}
	return ""
}

// KnownField is one field name of the management protocol and what is
// known of it (reference §2 and §2.1).
type KnownField struct {
	Name string
	// Listed: whose list of field names holds it.
	Listed Provenance
	// Kind and KindBy: how its value is typed in JSON, and whose typing
	// that is (0 for Text).
	Kind   Kind
	KindBy Provenance
	// Escaped: its value travels with ascp's ESC escapes (§2), which the
	// Reader decodes and AppendFrame encodes. IBM's newest parser decodes
	// exactly these fields, the paths of files, and so do we: decoding a
	// field ascp did not escape would turn a literal ESC n into a line
	// break, a change no one could undo, while a field left as received
	// keeps every byte (JSON shows ESC as \u001b).
	Escaped bool
	// Path: it names a file of the transfer, the user's own data, which
	// redaction leaves alone unless the whole value is a secret.
	Path bool
	// Messages are the message types known to carry it (reference §2, §9),
	// space-separated; empty where no document says. Commands the client
	// sends count.
	Messages string
}

// AscpMessages are the message types ascp sends (reference §2), for the
// fields that every message carries.
const AscpMessages = "INIT SESSION NOTIFICATION START STATS STOP SKIP FILEERROR ARGSTOP ERROR DONE"

// KnownFields is the one table of management fields: the name index (a
// known name's id is its index here plus one), the JSON typing, which
// values are escaped, the README list and the events JSON Schema all come
// from it. The order is IBM's list (its PARAMETERS), then the names only
// its newest parser knows.
var KnownFields = []KnownField{
	{Name: "Type", Listed: IBM, Messages: AscpMessages},
	{Name: "File", Listed: IBM, Escaped: true, Path: true, Messages: "START STOP SKIP FILEERROR"},
	{Name: "Size", Listed: IBM, Kind: Integer, KindBy: IBM, Messages: "STATS STOP"},
	{Name: "Written", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "Bytescont", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "Rate", Listed: IBM, Kind: Integer, KindBy: IBM, Messages: "NOTIFICATION RATE"},
	{Name: "Loss", Listed: IBM, Kind: Integer, KindBy: IBM, Messages: "ERROR DONE"},
	{Name: "Query", Listed: IBM},
	{Name: "Code", Listed: IBM, Kind: Integer, KindBy: IBMNewest, Messages: "ERROR FILEERROR DONE"},
	{Name: "Password", Listed: IBM},
	{Name: "Progress", Listed: IBM},
	{Name: "Remaining", Listed: IBM},
	{Name: "Elapsed", Listed: IBM},
	{Name: "RexInfo", Listed: IBM},
	{Name: "BlockInfo", Listed: IBM},
	{Name: "DiskInfo", Listed: IBM},
	{Name: "RateInfo", Listed: IBM},
	{Name: "MinRate", Listed: IBM, Kind: Integer, KindBy: IBM, Messages: "NOTIFICATION RATE"},
	{Name: "Description", Listed: IBM, Messages: "ERROR FILEERROR DONE"},
	{Name: "Elapsedusec", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "ServiceLevel", Listed: IBM},
	{Name: "SessionId", Listed: IBM, Messages: "INIT"},
	{Name: "User", Listed: IBM},
	{Name: "Host", Listed: IBM},
	{Name: "Encryption", Listed: IBM, Kind: YesNo, KindBy: IBM},
	{Name: "Adaptive", Listed: IBM, Messages: "RATE"},
	{Name: "Direction", Listed: IBM},
	{Name: "Remote", Listed: IBM, Kind: YesNo, KindBy: IBM},
	{Name: "Port", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "UserStr", Listed: IBM, Messages: AscpMessages},
	{Name: "CommandId", Listed: IBM},
	{Name: "StartByte", Listed: IBM, Kind: Integer, KindBy: IBM, Messages: "STATS STOP"},
	{Name: "EndByte", Listed: IBM, Kind: Integer, KindBy: Ours},
	{Name: "Token", Listed: IBM},
	{Name: "Cookie", Listed: IBM, Messages: "INIT"},
	{Name: "QueryResponse", Listed: IBM},
	{Name: "Source", Listed: IBM, Escaped: true, Path: true, Messages: "START"},
	{Name: "Destination", Listed: IBM, Escaped: true, Path: true, Messages: "START"},
	{Name: "BWMeasurement", Listed: IBM},
	{Name: "BWInfo", Listed: IBM},
	{Name: "PMTU", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "TransferBytes", Listed: IBM, Kind: Integer, KindBy: IBM, Messages: "STATS STOP DONE"},
	{Name: "FileBytes", Listed: IBM, Kind: Integer, KindBy: IBM, Messages: "START STATS STOP DONE"},
	{Name: "Operation", Listed: IBM, Messages: "DONE"},
	{Name: "Delay", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "PreTransferFiles", Listed: IBM, Kind: Integer, KindBy: Ours, Messages: "NOTIFICATION"},
	{Name: "PreTransferDirs", Listed: IBM, Kind: Integer, KindBy: Ours},
	{Name: "PreTransferSpecial", Listed: IBM, Kind: Integer, KindBy: Ours},
	{Name: "PreTransferFailed", Listed: IBM, Kind: Integer, KindBy: Ours},
	{Name: "PartialPreTransferBytes", Listed: IBM, Kind: Integer, KindBy: Ours},
	{Name: "PreTransferBytes", Listed: IBM, Kind: Integer, KindBy: IBM, Messages: "NOTIFICATION"},
	{Name: "Priority", Listed: IBM, Kind: Integer, KindBy: IBM, Messages: "SESSION"},
	{Name: "Transport", Listed: IBM},
	{Name: "VlinkID", Listed: IBM},
	{Name: "VlinkOn", Listed: IBM},
	{Name: "VlinkCapIn", Listed: IBM},
	{Name: "VlinkCapOut", Listed: IBM},
	{Name: "ManifestFile", Listed: IBM, Path: true},
	{Name: "ArgScansAttempted", Listed: IBM, Kind: Integer, KindBy: IBM, Messages: "DONE"},
	{Name: "ArgScansCompleted", Listed: IBM, Kind: Integer, KindBy: IBM, Messages: "DONE"},
	{Name: "PathScansAttempted", Listed: IBM, Kind: Integer, KindBy: IBM, Messages: "DONE"},
	{Name: "PathScansFailed", Listed: IBM, Kind: Integer, KindBy: Ours, Messages: "DONE"},
	{Name: "PathScansIrregular", Listed: IBM, Kind: Integer, KindBy: Ours, Messages: "DONE"},
	{Name: "PathScansExcluded", Listed: IBM, Kind: Integer, KindBy: Ours, Messages: "DONE"},
	{Name: "DirScansCompleted", Listed: IBM, Kind: Integer, KindBy: Ours, Messages: "DONE"},
	{Name: "FileScansCompleted", Listed: IBM, Kind: Integer, KindBy: IBM, Messages: "DONE"},
	{Name: "DirCreatesAttempted", Listed: IBM, Kind: Integer, KindBy: Ours},
	{Name: "DirCreatesFailed", Listed: IBM, Kind: Integer, KindBy: Ours},
	{Name: "DirCreatesPassed", Listed: IBM, Kind: Integer, KindBy: Ours},
	{Name: "TransfersAttempted", Listed: IBM, Kind: Integer, KindBy: IBM, Messages: "DONE"},
	{Name: "TransfersFailed", Listed: IBM, Kind: Integer, KindBy: IBMNewest, Messages: "DONE"},
	{Name: "TransfersPassed", Listed: IBM, Kind: Integer, KindBy: IBM, Messages: "DONE"},
	{Name: "TransfersSkipped", Listed: IBM, Kind: Integer, KindBy: Ours, Messages: "DONE"},
	{Name: "FallbackProtocol", Listed: IBM},
	{Name: "RetryTimeout", Listed: IBM, Kind: Integer, KindBy: IBMNewest},
	{Name: "PreTransferExcluded", Listed: IBM, Kind: Integer, KindBy: Ours},
	{Name: "XferId", Listed: IBM},
	{Name: "XferRetry", Listed: IBM, Kind: Integer, KindBy: IBMNewest},
	{Name: "Tags", Listed: IBM},
	{Name: "FaspFileArgIndex", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "ArgTransfersStatus", Listed: IBM},
	{Name: "ArgTransfersAttempted", Listed: IBM, Kind: Integer, KindBy: Ours},
	{Name: "ArgTransfersFailed", Listed: IBM, Kind: Integer, KindBy: Ours},
	{Name: "ArgTransfersPassed", Listed: IBM, Kind: Integer, KindBy: Ours},
	{Name: "ArgTransfersSkipped", Listed: IBM, Kind: Integer, KindBy: Ours},
	{Name: "FaspFileID", Listed: IBM},
	{Name: "RateCap", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "MinRateCap", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "PolicyCap", Listed: IBM},
	{Name: "PriorityCap", Listed: IBM, Kind: Integer, KindBy: IBMNewest},
	{Name: "RateLock", Listed: IBM, Kind: YesNo, KindBy: IBM},
	{Name: "MinRateLock", Listed: IBM, Kind: YesNo, KindBy: IBM},
	{Name: "PolicyLock", Listed: IBM, Kind: YesNo, KindBy: IBM},
	{Name: "FileChecksum", Listed: IBM, Messages: "STOP"},
	{Name: "ServerHostname", Listed: IBM},
	{Name: "ServerNodeId", Listed: IBM},
	{Name: "ClientNodeId", Listed: IBM},
	{Name: "ServerClusterId", Listed: IBM},
	{Name: "ClientClusterId", Listed: IBM},
	{Name: "FileChecksumType", Listed: IBM, Messages: "STOP"},
	{Name: "ServerDocroot", Listed: IBM},
	{Name: "ClientDocroot", Listed: IBM},
	{Name: "NodeUser", Listed: IBM},
	{Name: "ClientUser", Listed: IBM},
	{Name: "SourcePrefix", Listed: IBM},
	{Name: "RemoteAddress", Listed: IBM},
	{Name: "TCPPort", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "Cipher", Listed: IBM},
	{Name: "ResumePolicy", Listed: IBM},
	{Name: "CreatePolicy", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "ManifestPolicy", Listed: IBM},
	{Name: "Precalc", Listed: IBM, Kind: YesNo, KindBy: IBM},
	{Name: "OverwritePolicy", Listed: IBM},
	{Name: "RTTAutocorrect", Listed: IBM, Kind: YesNo, KindBy: IBM},
	{Name: "TimePolicy", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "ManifestPath", Listed: IBM},
	{Name: "ManifestInprogress", Listed: IBM},
	{Name: "PartialFiles", Listed: IBM},
	{Name: "FilesEncrypt", Listed: IBM, Kind: YesNo, KindBy: IBM},
	{Name: "FilesDecrypt", Listed: IBM, Kind: YesNo, KindBy: IBM},
	{Name: "DatagramSize", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "PrepostCommand", Listed: IBMReleased},
	{Name: "XoptFlags", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "VLinkVersion", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "PeerVLinkVersion", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "VLinkLocalEnabled", Listed: IBM, Kind: YesNo, KindBy: IBM},
	{Name: "VLinkLocalId", Listed: IBM},
	{Name: "VLinkLocalCL", Listed: IBM},
	{Name: "VLinkRemoteEnabled", Listed: IBM, Kind: YesNo, KindBy: IBM},
	{Name: "VLinkRemoteId", Listed: IBM},
	{Name: "VLRemoteCL", Listed: IBM},
	{Name: "DSPipelineDepth", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "PeerDSPipelineDepth", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "LocalIP", Listed: IBM},
	{Name: "SourceBase", Listed: IBM},
	{Name: "ReadBlockSize", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "WriteBlockSize", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "ClusterNumNodes", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "ClusterNodeId", Listed: IBM, Kind: Integer, KindBy: IBM},
	{Name: "MoveRange", Listed: IBM, Kind: YesNo, KindBy: IBM},
	{Name: "MoveRangeLow", Listed: IBM, Kind: Integer, KindBy: IBMNewest},
	{Name: "MoveRangeHigh", Listed: IBM, Kind: Integer, KindBy: IBMNewest},
	{Name: "Keepalive", Listed: IBM, Kind: YesNo, KindBy: IBM},
	{Name: "TestLogin", Listed: IBM, Kind: YesNo, KindBy: IBM},
	{Name: "UseProxy", Listed: IBM, Kind: YesNo, KindBy: IBM},
	{Name: "ProxyIP", Listed: IBM},
	{Name: "RateControlAlgorithm", Listed: IBM},
	{Name: "ClientMacAddress", Listed: IBM},
	{Name: "Offset", Listed: IBM},
	{Name: "ChunkSize", Listed: IBM},
	{Name: "PostTransferValidation", Listed: IBM, Kind: YesNo, KindBy: IBMNewest},
	{Name: "OverwritePolicyCap", Listed: IBM},
	{Name: "ExtraCreatePolicy", Listed: IBM},
	{Name: "Stalled", Listed: IBMNewest, Kind: YesNo, KindBy: IBMNewest},
	{Name: "FipsModeEnabled", Listed: IBMNewest, Kind: YesNo, KindBy: IBMNewest},
}

// Sender says who sends a message type.
type Sender uint8

const (
	// ByAscp: ascp sends it to the client.
	ByAscp Sender = iota + 1
	// ByClient: the client sends it to ascp, as a command.
	ByClient
	// ByBoth: ascp sends it, and the client sends it as a command.
	ByBoth
)

// MessageType is one message type (a frame's Type) IBM's client knows
// (reference §2.1, its OPERATIONS).
type MessageType struct {
	Name string
	By   Sender // who sends it; 0 where no document says
}

// MessageTypes are the message types of reference §2 and §2.1: what ascp
// sends, the commands a client may send (START, DONE, CANCEL, RATE), and
// those IBM lists without a document of their use.
var MessageTypes = []MessageType{
	{Name: "NOP"},
	{Name: "START", By: ByBoth},
	{Name: "QUERY"},
	{Name: "QUERYRSP"},
	{Name: "STATS", By: ByAscp},
	{Name: "STOP", By: ByAscp},
	{Name: "ERROR", By: ByAscp},
	{Name: "CANCEL", By: ByClient},
	{Name: "DONE", By: ByBoth},
	{Name: "RATE", By: ByClient},
	{Name: "FILEERROR", By: ByAscp},
	{Name: "SESSION", By: ByAscp},
	{Name: "NOTIFICATION", By: ByAscp},
	{Name: "INIT", By: ByAscp},
	{Name: "VLINK"},
	{Name: "PUT"},
	{Name: "WRITE"},
	{Name: "CLOSE"},
	{Name: "SKIP", By: ByAscp},
	{Name: "ARGSTOP", By: ByAscp},
}

// Known returns the table's row for a field name, nil for a name that is
// not known. One hash look-up, no allocation.
func Known(name []byte) *KnownField {
	if id := NameID(name); id != 0 {
		return &KnownFields[id-1]
	}
	return nil
}

// Names of the fields asession's packages read, ready for Frame.Lookup:
// declared once here, so that every package looks up the same names.
var (
	NameType               = knownName("Type")
	NameFile               = knownName("File")
	NameSize               = knownName("Size")
	NameStartByte          = knownName("StartByte")
	NameTransferBytes      = knownName("TransferBytes")
	NamePreTransferBytes   = knownName("PreTransferBytes")
	NameCode               = knownName("Code")
	NameDescription        = knownName("Description")
	NameSessionID          = knownName("SessionId")
	NameUserStr            = knownName("UserStr")
	NameSource             = knownName("Source")
	NameArgTransfersFailed = knownName("ArgTransfersFailed")
	NameFileChecksum       = knownName("FileChecksum")
	NameFileChecksumType   = knownName("FileChecksumType")
	NameFileBytes          = knownName("FileBytes")
	NameTransfersAttempted = knownName("TransfersAttempted")
	NameTransfersPassed    = knownName("TransfersPassed")
	NameTransfersFailed    = knownName("TransfersFailed")
	NameTransfersSkipped   = knownName("TransfersSkipped")
	NameCookie             = knownName("Cookie")
	// The fields of the commands asession sends (START, DONE, RATE).
	NameDestination = knownName("Destination")
	NameOperation   = knownName("Operation")
	NameRate        = knownName("Rate")
	NameMinRate     = knownName("MinRate")
	NameAdaptive    = knownName("Adaptive")
)

// knownName is NewName for a name the table must hold: a typo fails every
// test of every package at init.
func knownName(name string) Name {
	n := NewName(name)
	if n.id == 0 {
		panic("mgmt: " + name + " is not in KnownFields")
	}
	return n
}
