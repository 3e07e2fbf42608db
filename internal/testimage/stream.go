package testimage

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/docker/docker/api/types/image"
)

// importOptions give the imported rootfs its entrypoint and a label that
// marks it as a test image.
func importOptions() image.ImportOptions {
	return image.ImportOptions{
		Message: "cadenza test image",
		Changes: []string{
			fmt.Sprintf("ENTRYPOINT [%q]", Binary),
			`LABEL org.cadenza-edge.test="true"`,
		},
	}
}

// readStream consumes a JSON message stream of the engine and returns the
// first error message in it ("" when the operation succeeded).
func readStream(r io.Reader) string {
	dec := json.NewDecoder(r)
	for {
		var msg struct {
			Error       string `json:"error"`
			ErrorDetail *struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&msg); err != nil {
			if err == io.EOF {
				return ""
			}
			return "reading the engine's output: " + err.Error()
		}
		switch {
		case msg.ErrorDetail != nil && msg.ErrorDetail.Message != "":
			return msg.ErrorDetail.Message
		case msg.Error != "":
			return msg.Error
		}
	}
}
