package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expected outputs are what docker inspect --format prints for the same image (checked on docker 26). */
class GoTemplateTest {
    private static final JsonNode IMAGE = json("""
            {"Id": "sha256:abc", "RepoTags": ["app:1", "app:latest"], "Size": 2129920,
             "Config": {"Env": ["PATH=/bin", "A=1"], "Labels": {"b": "2", "a": "x y"},
                        "ExposedPorts": {"80/tcp": {}}, "Entrypoint": null, "Cmd": ["sh"]},
             "RootFS": {"Type": "layers", "Layers": ["sha256:l1"]}}""");

    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {{.Id}}                                              | sha256:abc
            {{.Config.Env}}                                      | [PATH=/bin A=1]
            {{.Config.Labels}}                                   | map[a:x y b:2]
            {{.Config.ExposedPorts}}                             | map[80/tcp:map[]]
            {{.Config.Entrypoint}}                               | []
            {{.Config.Volumes}}                                  | map[]
            {{.Config.User}}-{{.Config.WorkingDir}}              | -
            {{json .Config.Cmd}}                                 | ["sh"]
            {{json .RepoTags}}                                   | ["app:1","app:latest"]
            {{index .Config.Labels "a"}}                         | x y
            {{index .RepoTags 1}}                                | app:latest
            {{range .RepoTags}}<{{.}}>{{end}}                    | <app:1><app:latest>
            {{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}} | a=x y;b=2;
            {{join .Config.Env ","}}                             | PATH=/bin,A=1
            {{if .Config.Healthcheck}}yes{{else}}no{{end}}       | no
            {{if eq .RootFS.Type "layers"}}L{{end}}              | L
            {{with .RootFS}}{{.Type}}{{end}}                     | layers
            {{len .RootFS.Layers}}                               | 1
            {{upper .RootFS.Type}} {{title "hello world"}}       | LAYERS Hello World
            {{.Size}}                                            | 2129920
            {{printf "%s:%d" .Id .Size}}                         | sha256:abc:2129920
            {{.Nope}}                                            | <no value>
            {{range .Config.Nope}}x{{else}}empty{{end}}          | empty
            a {{- " b " -}} c                                    | a b c
            """)
    void templates_printLikeDockersFormat(String template, String expected) {
        assertEquals(expected, GoTemplate.parse(template).execute(IMAGE));
    }

    @Test
    void pipes_passTheValueAsTheLastArgument() {
        assertEquals("x y", GoTemplate.parse("{{\"a\" | index .Config.Labels}}").execute(IMAGE));
        assertEquals("\"SHA256:ABC\"", GoTemplate.parse("{{.Id | upper | json}}").execute(IMAGE));
    }

    @Test
    void malformedTemplates_areRejectedWithAReason() {
        assertThrows(IllegalArgumentException.class, () -> GoTemplate.parse("{{.Id"));
        assertThrows(IllegalArgumentException.class, () -> GoTemplate.parse("{{range .RepoTags}}x"));
        assertThrows(IllegalArgumentException.class, () -> GoTemplate.parse("{{end}}"));
        assertThrows(IllegalArgumentException.class, () -> GoTemplate.parse("{{nosuch .Id}}").execute(IMAGE));
    }
}
