package batch

// Under Wine, t.TempDir's clean-up needs the delete Wine 8 implements.
import _ "github.com/faspkit/asession/internal/wine"
